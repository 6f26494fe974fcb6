package dev.mm1.evaluator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mm1.evaluator.Vectors;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PtbTokenizerTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Every caption of a vector file, tokenised in one call as pycocoevalcap does, gives the words the
   * real Stanford tokenizer gave (through pycocoevalcap's wrapper).
   */
  @ParameterizedTest
  @ValueSource(strings = {"ptb/tricky.jsonl", "ptb/shapes.jsonl.gz", "ptb/fuzz.jsonl.gz"})
  void matchesTheOfficialTokenizerOnEveryCaption(String file) throws Exception {
    List<String> captions = new ArrayList<>();
    List<List<String>> expected = new ArrayList<>();
    for (String line : Vectors.lines(file)) {
      JsonNode pair = JSON.readTree(line);
      captions.add(pair.get(0).asText());
      expected.add(PythonText.PYTHON3.split(pair.get(1).asText()));
    }
    List<List<String>> actual = CocoCaptionTokenizer.tokenize(captions);
    List<String> mismatches = new ArrayList<>();
    for (int i = 0; i < captions.size(); i++) {
      if (!actual.get(i).equals(expected.get(i))) {
        mismatches.add(i + ": " + captions.get(i) + "\n  official: " + expected.get(i) + "\n  ours:     " + actual.get(i));
      }
    }
    assertThat(captions).hasSizeGreaterThan(100);
    assertThat(mismatches).as("captions tokenised differently from the official tokenizer").isEmpty();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "A man (in red) rides a bike.|a man -lrb- in red -rrb- rides a bike",
      "The dog's ball isn't red.|the dog 's ball is n't red",
      "Gonna see Mr. Smith on St. Mary St.|gon na see mr. smith on st. mary st.",
      "A sign for Mass.|a sign for mass.",
      "A sign for mass.|a sign for mass",
      "He has plan B. The end.|he has plan b the end",
      "He has plan B. Then what?|he has plan b then what",
      "He has plan B. Nothing.|he has plan b. nothing",
      "A dog., a cat.|a dog. a cat",
      "It costs $5 or €4 or £3.|it costs $ 5 or $ 4 or # 3",
      "A ½ cup -- or 3/4.|a 1/2 cup or 3/4",
  })
  void tokenisesLikeTheTreebank(String caption, String words) {
    assertThat(CocoCaptionTokenizer.tokenize(List.of(caption)).getFirst()).containsExactly(words.split(" "));
  }

  @org.junit.jupiter.api.Test
  void aCaptionsPeriodCanDependOnTheNextCaption() {
    // A single letter's period ends a sentence before "The" ... also across the line end.
    assertThat(CocoCaptionTokenizer.tokenize(List.of("He has plan B.", "The end.")).getFirst()).containsExactly("he", "has", "plan", "b");
    assertThat(CocoCaptionTokenizer.tokenize(List.of("He has plan B.", "the end.")).getFirst()).containsExactly("he", "has", "plan", "b.");
  }

  @org.junit.jupiter.api.Test
  void aLineBreakInsideACaptionShiftsTheCaptionsAfterItAsTheOriginalDoes() {
    List<List<String>> words = CocoCaptionTokenizer.tokenize(List.of("one\rtwo", "three", "four"));
    assertThat(words).containsExactly(List.of("one"), List.of("two"), List.of("three"));
    assertThat(CocoCaptionTokenizer.lineBreakInside("one\rtwo")).isEqualTo(3);
    assertThat(CocoCaptionTokenizer.lineBreakInside("windows line\r")).isEqualTo(-1);
    assertThat(CocoCaptionTokenizer.tokenize(List.of("windows line\r", "next"))).containsExactly(
        List.of("windows", "line"), List.of("next"));
  }
}
