package dev.mm1.model.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MM1TokenizerTest {
  private static MM1Tokenizer tokenizer;

  @BeforeAll
  static void load() {
    tokenizer = MM1Tokenizer.load();
  }

  @AfterAll
  static void close() {
    tokenizer.close();
  }

  @Test
  void roundTripsTextExactly() {
    for (var text : new String[] {
        "A small red circle is to the left of a large blue square.",
        "How many green triangles are there? Answer: 3",
        "  leading spaces, tabs\tand\nnew lines\n\n",
        "Unusual words: xylophone quizzically, émigré, 東京, emoji 🙂",
        ""}) {
      assertThat(tokenizer.decode(tokenizer.encode(text))).isEqualTo(text);
    }
  }

  @Test
  void specialTokensAreSingleDistinctIdsAlsoInsideText() {
    var ids = new int[] {tokenizer.pad(), tokenizer.bos(), tokenizer.eos(), tokenizer.image(),
        tokenizer.endOfChunk(), tokenizer.userRole(), tokenizer.assistantRole()};
    var distinct = new HashSet<Integer>();
    for (int id : ids) {
      assertThat(id).isBetween(0, tokenizer.vocabSize() - 1);
      distinct.add(id);
    }
    assertThat(distinct).hasSize(ids.length);

    var text = "<image>A red star.<|endofchunk|><image> Two blue circles.<|endofchunk|>";
    var encoded = tokenizer.encode(text);
    assertThat(count(encoded, tokenizer.image())).isEqualTo(2);
    assertThat(count(encoded, tokenizer.endOfChunk())).isEqualTo(2);
    assertThat(encoded[0]).isEqualTo(tokenizer.image());
    assertThat(encoded[encoded.length - 1]).isEqualTo(tokenizer.endOfChunk());
    assertThat(tokenizer.decode(encoded)).isEqualTo(text);

    assertThat(tokenizer.encode("<|user|>")).containsExactly(tokenizer.userRole());
    assertThat(tokenizer.encode("<|assistant|>")).containsExactly(tokenizer.assistantRole());
    assertThat(tokenizer.encode("<|bos|><|eos|><|pad|>"))
        .containsExactly(tokenizer.bos(), tokenizer.eos(), tokenizer.pad());
  }

  @Test
  void addsNoSpecialTokens() {
    var ids = tokenizer.encode("red");
    assertThat(ids).hasSize(1).doesNotContain(tokenizer.bos(), tokenizer.eos());
  }

  @Test
  void shapesWorldWordsAreSingleTokens() {
    for (var word : (TrainingWords.COLOURS + " " + TrainingWords.SHAPES + " " + TrainingWords.SIZES + " "
        + TrainingWords.POSITIONS + " " + TrainingWords.COUNTING + " " + TrainingWords.QUESTIONS).split("\\s+")) {
      assertThat(tokenizer.encode(" " + word)).as("' %s'", word).hasSize(1);
    }
    assertThat(tokenizer.encode(" 42")).hasSize(1);
  }

  @Test
  void longTextIsNeverTruncated() {
    var text = new StringBuilder();
    for (int i = 0; i < 3000; i++) {
      text.append(" the red circle is above the blue square");
    }
    var ids = tokenizer.encode(text.toString());
    assertThat(ids.length).isGreaterThan(20_000);
    assertThat(tokenizer.decode(ids)).isEqualTo(text.toString());
  }

  @Test
  void everyIdOfTheVocabularyDecodes() {
    assertThat(tokenizer.vocabSize()).isEqualTo(8192);
    assertThat(tokenizer.decode(new int[] {tokenizer.vocabSize() - 1})).startsWith("<|reserved_");
    var last = tokenizer.decode(new int[] {tokenizer.vocabSize() - 1});
    assertThat(tokenizer.encode(last)).containsExactly(tokenizer.vocabSize() - 1);
  }

  @Test
  void rejectsIdsOutsideTheVocabulary() {
    assertThatThrownBy(() -> tokenizer.decode(new int[] {5, tokenizer.vocabSize()}))
        .hasMessageContaining("token id " + tokenizer.vocabSize())
        .hasMessageContaining("position 1");
  }

  @Test
  void bundledFileIsWhatTheTrainerProduces() throws IOException {
    try (InputStream in = MM1Tokenizer.class.getResourceAsStream(MM1Tokenizer.RESOURCE)) {
      var bundled = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertThat(bundled).isEqualTo(BpeTokenizerTrainer.trainTokenizerJson());
    }
  }

  private static long count(int[] ids, int id) {
    return java.util.Arrays.stream(ids).filter(x -> x == id).count();
  }
}
