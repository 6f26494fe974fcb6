package dev.mm1.evaluator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** CIDEr-D and BLEU on examples worked out by hand. */
class CaptionMetricsTest {
  private static List<String> words(String text) {
    return Arrays.asList(text.split(" "));
  }

  @Test
  void ciderOfExactCopiesIsFiveWhenOnlyUnigramsAndBigramsExist() {
    // Two images, each candidate equal to its one reference "a b" / "c d". Every n-gram occurs in
    // one image, so every weight is log(2) - log(1) = log 2 and each cosine is 1 for n = 1, 2 and 0
    // for n = 3, 4 (no such n-grams): mean 0.5, times 10 = 5.
    CiderD.Result result = CiderD.score(List.of(List.of(words("a b")), List.of(words("c d"))),
        List.of(words("a b"), words("c d")));
    assertThat(result.perImage()).containsExactly(5.0, 5.0);
    assertThat(result.score()).isEqualTo(5.0);
  }

  @Test
  void ciderGivesZeroToNgramsEveryImageShares() {
    // "a" is in both images' references: idf = log 2 - log 2 = 0, so it weighs nothing; the
    // candidate "a" matches only that and scores 0.
    CiderD.Result result = CiderD.score(List.of(List.of(words("a b")), List.of(words("a c"))),
        List.of(words("a"), words("a c")));
    assertThat(result.perImage()[0]).isEqualTo(0.0);
    // Image 2: unigram vectors (0, log2) against (0, log2) -> cosine 1; bigram "a c" -> 1; so 5.
    assertThat(result.perImage()[1]).isCloseTo(5.0, within(1e-12));
  }

  @Test
  void ciderClipsRepeatedNgramsAndPenalisesTheBigramCountDifference() {
    // One image (so every idf is log 1 - log 1 = 0 and everything scores 0) is useless; use two.
    // Image 1 reference "x y", candidate "x x x": unigram weight of x is 3 log 2 for the candidate,
    // log 2 for the reference; clipping gives min(3 log2, log2) * log2 = log2^2, divided by the
    // norms 3 log2 * sqrt(2) log2: 1 / (3 sqrt 2). Bigrams: candidate "x x" is not in the reference
    // -> 0. Lengths (bigram counts) 2 and 1: penalty exp(-1 / 72). Score = 10 * mean.
    CiderD.Result result = CiderD.score(List.of(List.of(words("x y")), List.of(words("z w"))),
        List.of(words("x x x"), words("z w")));
    double expected = 10 * (1 / (3 * Math.sqrt(2)) * Math.exp(-1.0 / 72)) / 4;
    assertThat(result.perImage()[0]).isCloseTo(expected, within(1e-12));
  }

  @Test
  void bleuOfAClassicExample() {
    // candidate "the cat sat on the mat", reference "the cat is on the mat": unigrams 5/6, bigrams
    // 3/5 ("the cat", "on the", "the mat"), trigrams 1/4, 4-grams 0/3; equal lengths, no penalty.
    Bleu.Result result = Bleu.score(List.of(List.of(words("the cat is on the mat"))), List.of(words("the cat sat on the mat")));
    assertThat(result.bleu()[0]).isCloseTo(5.0 / 6, within(1e-9));
    assertThat(result.bleu()[1]).isCloseTo(Math.sqrt(5.0 / 6 * 3 / 5), within(1e-9));
    assertThat(result.bleu()[2]).isCloseTo(Math.cbrt(5.0 / 6 * 3 / 5 / 4), within(1e-9));
    assertThat(result.bleu()[3]).isLessThan(1e-3);
  }

  @Test
  void bleuTakesTheClosestReferenceLengthAndTheShorterOnATie() {
    // Candidate of 4 words; references of 3 and 5 words are equally close: the 3 is taken, so no
    // brevity penalty (4 > 3). With only the 5-word reference, the penalty is exp(1 - 5/4).
    List<String> candidate = words("a b c d");
    Bleu.Result tie = Bleu.score(List.of(List.of(words("a b c"), words("a b c d e"))), List.of(candidate));
    assertThat(tie.referenceLength()).isEqualTo(3);
    assertThat(tie.bleu()[0]).isCloseTo(1.0, within(1e-9));
    Bleu.Result longer = Bleu.score(List.of(List.of(words("a b c d e"))), List.of(candidate));
    assertThat(longer.bleu()[0]).isCloseTo(Math.exp(1 - 5.0 / 4), within(1e-9));
  }

  @Test
  void numpySumsPairwise() {
    // 1e16 + 1 + 1 + ... rounds differently summed left to right than in numpy's blocks of eight.
    double[] values = new double[9];
    Arrays.fill(values, 1.0);
    values[0] = 1e16;
    double sequential = 0;
    for (double value : values) {
      sequential += value;
    }
    assertThat(sequential).isEqualTo(1e16);
    // numpy: r[0..7] = values[0..7]; ((1e16+1)+(1+1)) + ((1+1)+(1+1)) = 1e16+6, then + 1 = 1e16 + 8 (rounded)
    assertThat(NumpySum.sum(values, 0, values.length)).isEqualTo(1e16 + 8);
  }
}
