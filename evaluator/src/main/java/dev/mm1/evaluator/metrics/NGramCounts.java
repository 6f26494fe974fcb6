package dev.mm1.evaluator.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The n-gram counts of a sentence as pycocoevalcap's {@code precook} makes them: every 1- to 4-gram
 * in the order n = 1..4, then by position. The order is kept because the scorers sum floating point
 * numbers in it. An n-gram is its words joined by single spaces (words hold no whitespace).
 */
final class NGramCounts {
  static final int MAX_N = 4;

  private NGramCounts() {}

  static Map<String, Integer> of(List<String> words) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (int n = 1; n <= MAX_N; n++) {
      for (int i = 0; i + n <= words.size(); i++) {
        counts.merge(String.join(" ", words.subList(i, i + n)), 1, Integer::sum);
      }
    }
    return counts;
  }

  /** The n of an n-gram key. */
  static int order(String ngram) {
    int n = 1;
    for (int i = 0; i < ngram.length(); i++) {
      if (ngram.charAt(i) == ' ') {
        n++;
      }
    }
    return n;
  }
}
