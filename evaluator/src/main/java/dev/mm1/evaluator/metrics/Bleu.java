package dev.mm1.evaluator.metrics;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Corpus BLEU-1..4 exactly as pycocoevalcap's {@code BleuScorer} computes it with
 * {@code option="closest"}: clipped n-gram matches and candidate n-gram counts summed over the
 * corpus, the effective reference length of each candidate the reference length closest to it
 * (the shorter one on a tie), the smoothing constants 1e-15 and 1e-9, and one brevity penalty on
 * the corpus totals.
 */
public final class Bleu {
  private static final double TINY = 1e-15;
  private static final double SMALL = 1e-9;

  /**
   * @param bleu BLEU-1 to BLEU-4 (index 0 to 3), on the 0-1 scale
   * @param candidateLength total candidate words
   * @param referenceLength total effective reference words
   */
  public record Result(double[] bleu, long candidateLength, long referenceLength) {}

  private Bleu() {}

  /** Scores one candidate per image against that image's references, all as word lists. */
  public static Result score(List<List<List<String>>> references, List<List<String>> candidates) {
    if (references.size() != candidates.size() || references.isEmpty()) {
      throw new IllegalArgumentException("need one candidate per image and at least one image, got "
          + references.size() + " reference sets and " + candidates.size() + " candidates");
    }
    int n = NGramCounts.MAX_N;
    long[] guess = new long[n];
    long[] correct = new long[n];
    long candidateLength = 0;
    long referenceLength = 0;
    for (int i = 0; i < candidates.size(); i++) {
      Map<String, Integer> maxCounts = new HashMap<>();
      List<List<String>> imageReferences = references.get(i);
      if (imageReferences.isEmpty()) {
        throw new IllegalArgumentException("every image needs at least one reference");
      }
      List<String> candidate = candidates.get(i);
      int length = candidate.size();
      int closest = -1;
      for (List<String> reference : imageReferences) {
        NGramCounts.of(reference).forEach((ngram, count) -> maxCounts.merge(ngram, count, Math::max));
        int referenceWords = reference.size();
        // min((abs(l - testlen), l)): the closest length, the shorter one on a tie
        if (closest < 0 || Math.abs(referenceWords - length) < Math.abs(closest - length)
            || (Math.abs(referenceWords - length) == Math.abs(closest - length) && referenceWords < closest)) {
          closest = referenceWords;
        }
      }
      candidateLength += length;
      referenceLength += closest;
      for (int k = 0; k < n; k++) {
        guess[k] += Math.max(0, length - k);
      }
      for (Map.Entry<String, Integer> entry : NGramCounts.of(candidate).entrySet()) {
        correct[NGramCounts.order(entry.getKey()) - 1] += Math.min(maxCounts.getOrDefault(entry.getKey(), 0), entry.getValue());
      }
    }
    double[] bleu = new double[n];
    double product = 1.0;
    for (int k = 0; k < n; k++) {
      product *= (correct[k] + TINY) / (guess[k] + SMALL);
      bleu[k] = Math.pow(product, 1.0 / (k + 1));
    }
    double ratio = (candidateLength + TINY) / (referenceLength + SMALL);
    if (ratio < 1) {
      for (int k = 0; k < n; k++) {
        bleu[k] *= Math.exp(1 - 1 / ratio);
      }
    }
    return new Result(bleu, candidateLength, referenceLength);
  }
}
