package dev.mm1.evaluator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** VQA accuracy and its answer normalisation on examples worked out by hand. */
class VqaAccuracyTest {
  private static List<VqaAccuracy.HumanAnswer> answers(String... texts) {
    List<VqaAccuracy.HumanAnswer> out = new ArrayList<>();
    for (int i = 0; i < texts.length; i++) {
      out.add(new VqaAccuracy.HumanAnswer(texts[i], JsonNodeFactory.instance.objectNode().put("answer_id", i + 1)));
    }
    return out;
  }

  private static double accuracy(String prediction, String... humans) {
    return VqaAccuracy.accuracy(new VqaAccuracy.Question("1", "what", "other", answers(humans), prediction));
  }

  private static String[] repeat(int times, String text) {
    return Collections.nCopies(times, text).toArray(String[]::new);
  }

  @Test
  void averagesMinMatchesOverThreeAcrossTheTenLeaveOneOutSubsets() {
    // 2 "yes" and 8 "no", prediction "yes": a "yes" annotator's others hold 1 yes (1/3), a "no"
    // annotator's others hold 2 (2/3): (2 * 1/3 + 8 * 2/3) / 10 = 0.6.
    String[] humans = new String[10];
    for (int i = 0; i < 10; i++) {
      humans[i] = i < 2 ? "yes" : "no";
    }
    assertThat(accuracy("yes", humans)).isCloseTo(0.6, org.assertj.core.api.Assertions.within(1e-15));
    // 4 or more matching humans: every subset has at least 3, so 1.
    assertThat(accuracy("no", humans)).isEqualTo(1.0);
  }

  @Test
  void normalisesOnlyWhenTheHumansDisagree() {
    // All ten say "2": no normalisation, "two" is wrong, though cleaning (strip) still applies.
    assertThat(accuracy("two", repeat(10, "2"))).isEqualTo(0.0);
    assertThat(accuracy(" 2\n", repeat(10, "2"))).isEqualTo(1.0);
    // One says "two": now number words, articles and case are normalised on both sides.
    String[] mixed = repeat(10, "2");
    mixed[9] = "two";
    assertThat(accuracy("Two", mixed)).isEqualTo(1.0);
  }

  @Test
  void identicalAnswerRecordsLeaveEachOtherOut() {
    var same = JsonNodeFactory.instance.objectNode().put("answer_id", 1);
    List<VqaAccuracy.HumanAnswer> humans = List.of(new VqaAccuracy.HumanAnswer("cat", same),
        new VqaAccuracy.HumanAnswer("cat", same), new VqaAccuracy.HumanAnswer("cat", same),
        new VqaAccuracy.HumanAnswer("cat", same));
    // With distinct records each annotator sees 3 other "cat": 1. As identical dicts, each sees none.
    assertThat(VqaAccuracy.accuracy(new VqaAccuracy.Question("1", null, null, humans, "cat"))).isEqualTo(0.0);
  }

  @Test
  void punctuationIsDeletedNextToSpacesOrAroundDigitCommaDigitAndSpacedOtherwise() {
    assertThat(VqaAnswerNormalizer.punctuation("black/white")).isEqualTo("black white");
    assertThat(VqaAnswerNormalizer.punctuation("black/ white")).isEqualTo("black white");
    assertThat(VqaAnswerNormalizer.punctuation("1,000 (big)")).isEqualTo("1000 big");
    assertThat(VqaAnswerNormalizer.punctuation("3.5 ft.")).isEqualTo("3.5 ft");
    // At most 32 periods go: the regex count argument is re.UNICODE (32).
    assertThat(VqaAnswerNormalizer.punctuation(".".repeat(40) + "x")).isEqualTo(".".repeat(8) + "x");
  }

  @Test
  void numbersArticlesAndContractions() {
    assertThat(VqaAnswerNormalizer.digitsAndArticles("The Two dogs dont")).isEqualTo("2 dogs don't");
    assertThat(VqaAnswerNormalizer.digitsAndArticles("none")).isEqualTo("0");
    // The table's reversed entry, kept.
    assertThat(VqaAnswerNormalizer.digitsAndArticles("somebody'd")).isEqualTo("somebodyd");
    // Python 2's lower(): U+0130 becomes a plain "i".
    assertThat(VqaAnswerNormalizer.digitsAndArticles("\u0130stanbul")).isEqualTo("istanbul");
  }

  @Test
  void roundsHalfAwayFromZeroLikePython2() {
    assertThat(VqaAccuracy.python2Round(0.125, 2)).isEqualTo(0.13);
    // 2.675 is 2.67499999... in binary: down, as Python 2 (and 3) do.
    assertThat(VqaAccuracy.python2Round(2.675, 2)).isEqualTo(2.67);
    assertThat(VqaAccuracy.percent(1, 800)).isEqualTo(0.13);
  }
}
