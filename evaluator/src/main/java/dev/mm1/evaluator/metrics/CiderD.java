package dev.mm1.evaluator.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * CIDEr-D exactly as pycocoevalcap's {@code CiderScorer} computes it, on captions already
 * tokenised ({@link CocoCaptionTokenizer}): TF-IDF vectors of 1- to 4-grams with document
 * frequencies counted over the references being scored (so the score of an image depends on the
 * others), idf = log(#images) - log(max(1, df)), each candidate n-gram weight clipped at the
 * reference's, a Gaussian penalty on the length difference with sigma = 6, the mean over n and over
 * the references, times 10. Its quirks are kept: the "length" the penalty compares is the number
 * of bigrams, and the sums run in the original's order, with numpy's pairwise summation for the
 * means, so that the result agrees to the last bits.
 */
public final class CiderD {
  public static final double SIGMA = 6.0;

  /**
   * @param score the corpus score (the mean of {@code perImage}); the MM1 paper reports it x100
   * @param perImage each image's score, in input order
   */
  public record Result(double score, double[] perImage) {}

  private CiderD() {}

  /**
   * Scores one candidate per image against that image's references, all as word lists.
   *
   * @param references per image, its reference captions (at least one each)
   * @param candidates per image, the candidate caption
   */
  public static Result score(List<List<List<String>>> references, List<List<String>> candidates) {
    if (references.size() != candidates.size() || references.isEmpty()) {
      throw new IllegalArgumentException("need one candidate per image and at least one image, got "
          + references.size() + " reference sets and " + candidates.size() + " candidates");
    }
    List<List<Map<String, Integer>>> cookedReferences = new ArrayList<>();
    Map<String, Double> documentFrequency = new HashMap<>();
    for (List<List<String>> imageReferences : references) {
      if (imageReferences.isEmpty()) {
        throw new IllegalArgumentException("every image needs at least one reference");
      }
      List<Map<String, Integer>> cooked = imageReferences.stream().map(NGramCounts::of).toList();
      cookedReferences.add(cooked);
      Set<String> seen = new HashSet<>();
      cooked.forEach(counts -> seen.addAll(counts.keySet()));
      seen.forEach(ngram -> documentFrequency.merge(ngram, 1.0, Double::sum));
    }
    double referenceLength = Math.log(references.size());
    double[] perImage = new double[references.size()];
    for (int i = 0; i < perImage.length; i++) {
      Vector candidate = vector(NGramCounts.of(candidates.get(i)), documentFrequency, referenceLength);
      double[] sum = new double[NGramCounts.MAX_N];
      for (Map<String, Integer> reference : cookedReferences.get(i)) {
        double[] similarity = similarity(candidate, vector(reference, documentFrequency, referenceLength));
        for (int n = 0; n < sum.length; n++) {
          sum[n] += similarity[n];
        }
      }
      double score = NumpySum.mean(sum);
      score /= cookedReferences.get(i).size();
      score *= 10.0;
      perImage[i] = score;
    }
    return new Result(NumpySum.mean(perImage), perImage);
  }

  /** TF-IDF weights per n, their norms, and the "length" (the number of bigrams, as the original counts it). */
  private record Vector(List<Map<String, Double>> weights, double[] norms, int length) {}

  private static Vector vector(Map<String, Integer> counts, Map<String, Double> documentFrequency, double referenceLength) {
    List<Map<String, Double>> weights = new ArrayList<>();
    for (int n = 0; n < NGramCounts.MAX_N; n++) {
      weights.add(new LinkedHashMap<>());
    }
    double[] norms = new double[NGramCounts.MAX_N];
    int length = 0;
    for (Map.Entry<String, Integer> entry : counts.entrySet()) {
      double df = Math.log(Math.max(1.0, documentFrequency.getOrDefault(entry.getKey(), 0.0)));
      int n = NGramCounts.order(entry.getKey()) - 1;
      double weight = (double) entry.getValue() * (referenceLength - df);
      weights.get(n).put(entry.getKey(), weight);
      norms[n] += weight * weight;
      if (n == 1) {
        length += entry.getValue();
      }
    }
    for (int n = 0; n < norms.length; n++) {
      norms[n] = Math.sqrt(norms[n]);
    }
    return new Vector(weights, norms, length);
  }

  private static double[] similarity(Vector candidate, Vector reference) {
    double delta = candidate.length - reference.length;
    double penalty = Math.pow(Math.E, -(delta * delta) / (2 * SIGMA * SIGMA));
    double[] value = new double[NGramCounts.MAX_N];
    for (int n = 0; n < value.length; n++) {
      Map<String, Double> referenceWeights = reference.weights.get(n);
      for (Map.Entry<String, Double> entry : candidate.weights.get(n).entrySet()) {
        double referenceWeight = referenceWeights.getOrDefault(entry.getKey(), 0.0);
        value[n] += Math.min(entry.getValue(), referenceWeight) * referenceWeight;
      }
      if (candidate.norms[n] != 0 && reference.norms[n] != 0) {
        value[n] /= candidate.norms[n] * reference.norms[n];
      }
      value[n] *= penalty;
    }
    return value;
  }
}
