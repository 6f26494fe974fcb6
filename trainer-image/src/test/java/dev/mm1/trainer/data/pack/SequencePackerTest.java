package dev.mm1.trainer.data.pack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SequencePackerTest {
  static final int PAD = 0;
  static final int IMAGE = 1;
  static final int IMAGE_TOKENS = 4;

  /** A document whose text tokens are unique numbers, so that every token can be traced. */
  private static Document document(String key, boolean together, int[] layout, int[] nextToken) {
    List<Document.Piece> pieces = new ArrayList<>();
    int imageIndex = 0;
    for (int length : layout) {
      if (length < 0) {
        float[][] views = new float[-length][];
        for (int v = 0; v < views.length; v++) {
          views[v] = new float[] {imageIndex};
        }
        pieces.add(new Document.Image(imageIndex++ + ".png", views));
      } else {
        int[] tokens = new int[length];
        for (int i = 0; i < length; i++) {
          tokens[i] = nextToken[0]++;
        }
        pieces.add(new Document.Text(tokens, true));
      }
    }
    return new Document("src", key, null, pieces, together);
  }

  @Test
  void aFullPassLosesAndRepeatsNothingAndKeepsEveryLimit() {
    Random random = new Random(3);
    int[] nextToken = {100};
    List<Document> documents = new ArrayList<>();
    for (int d = 0; d < 400; d++) {
      int kind = random.nextInt(3);
      int[] layout = switch (kind) {
        case 0 -> new int[] {1, -1, 3 + random.nextInt(20)}; // caption pair
        case 1 -> {
          int images = 2 + random.nextInt(5); // interleaved: text, image, text, ...
          int[] l = new int[2 * images + 1];
          for (int i = 0; i < l.length; i++) {
            l[i] = i % 2 == 1 ? -1 : random.nextInt(30);
          }
          yield l;
        }
        default -> new int[] {1 + random.nextInt(150)}; // text, sometimes longer than a sequence
      };
      documents.add(document("d" + d, kind == 0, layout, nextToken));
    }
    int length = 64;
    int maxImages = 3;
    SequencePacker packer = new SequencePacker(length, maxImages, IMAGE_TOKENS, PAD, IMAGE);
    Deque<Document> queue = new ArrayDeque<>(documents);
    List<Integer> packedText = new ArrayList<>();
    Map<String, List<Float>> packedImages = new HashMap<>();
    int sequences = 0;
    for (PackedSequence s; (s = packer.next(queue::poll)) != null; sequences++) {
      assertThat(s.tokens()).hasSize(length);
      assertThat(s.images().size()).isLessThanOrEqualTo(maxImages);
      int placeholders = 0;
      for (int i = 0; i < length; i++) {
        int token = s.tokens()[i];
        if (s.segmentIds()[i] == 0) {
          assertThat(token).isEqualTo(PAD);
          assertThat(s.lossMask()[i]).isZero();
        } else if (token == IMAGE) {
          placeholders++;
          assertThat(s.lossMask()[i]).isZero();
        } else {
          packedText.add(token);
          boolean segmentStart = i == 0 || s.segmentIds()[i - 1] != s.segmentIds()[i];
          assertThat(s.lossMask()[i]).isEqualTo((byte) (segmentStart ? 0 : 1));
          assertThat(s.positions()[i]).isEqualTo(segmentStart ? 0 : s.positions()[i - 1] + 1);
        }
      }
      assertThat(placeholders).isEqualTo(s.images().size() * IMAGE_TOKENS);
      for (PackedImage image : s.images()) {
        packedImages.computeIfAbsent(image.key(), k -> new ArrayList<>()).add(image.pixels()[0]);
      }
      // Padding only at the end.
      int used = s.usedTokens();
      for (int i = 0; i < used; i++) {
        assertThat(s.segmentIds()[i]).isPositive();
      }
    }
    List<Integer> expectedText = new ArrayList<>();
    for (int t = 100; t < nextToken[0]; t++) {
      expectedText.add(t);
    }
    assertThat(packedText).isEqualTo(expectedText); // every token once, in order
    for (Document d : documents) {
      int images = d.imageCount();
      List<Float> expected = new ArrayList<>();
      for (int i = 0; i < images; i++) {
        expected.add((float) i);
      }
      assertThat(packedImages.getOrDefault(d.key(), List.of())).as(d.key()).isEqualTo(expected); // in document order
    }
    assertThat(sequences).isGreaterThan(50);
  }

  @Test
  void severalCaptionPairsShareASequenceAndAPairIsNeverSplit() {
    int[] next = {100};
    SequencePacker packer = new SequencePacker(32, 8, IMAGE_TOKENS, PAD, IMAGE);
    Deque<Document> queue = new ArrayDeque<>();
    for (int i = 0; i < 5; i++) {
      queue.add(document("c" + i, true, new int[] {1, -1, 5}, next)); // 10 positions each
    }
    PackedSequence first = packer.next(queue::poll);
    assertThat(first.segments()).containsExactly("src/c0", "src/c1", "src/c2");
    assertThat(first.usedTokens()).isEqualTo(30); // the fourth pair would not fit whole: it starts the next sequence
    assertThat(packer.next(queue::poll).segments()).containsExactly("src/c3", "src/c4");
    assertThat(packer.next(queue::poll)).isNull();
  }

  @Test
  void interleavedDocumentsSplitAtTheImageLimitAndContinueInOrder() {
    int[] next = {100};
    SequencePacker packer = new SequencePacker(100, 2, IMAGE_TOKENS, PAD, IMAGE);
    Deque<Document> queue = new ArrayDeque<>(List.of(document("doc", false, new int[] {2, -1, 2, -1, 2, -1, 2, -1, 2}, next)));
    PackedSequence first = packer.next(queue::poll);
    assertThat(first.images()).extracting(PackedImage::name).containsExactly("0.png", "1.png");
    assertThat(packer.pending()).isNotNull();
    assertThat(packer.pendingPiece()).isEqualTo(5);
    PackedSequence second = packer.next(queue::poll);
    assertThat(second.images()).extracting(PackedImage::name).containsExactly("2.png", "3.png");
    assertThat(second.segments()).containsExactly("src/doc");
    assertThat(packer.next(queue::poll)).isNull();
  }

  @Test
  void subImageViewsCountAgainstTheImageLimit() {
    int[] next = {100};
    SequencePacker packer = new SequencePacker(256, 5, IMAGE_TOKENS, PAD, IMAGE);
    Deque<Document> queue = new ArrayDeque<>(List.of(document("a", true, new int[] {1, -5, 3}, next),
        document("b", true, new int[] {1, -5, 3}, next)));
    assertThat(packer.next(queue::poll).images()).hasSize(5).extracting(PackedImage::view).containsExactly(0, 1, 2, 3, 4);
    assertThat(packer.next(queue::poll).segments()).containsExactly("src/b");
  }

  @Test
  void anImageThatCanNeverFitIsAConfigurationError() {
    int[] next = {100};
    SequencePacker packer = new SequencePacker(16, 4, 20, PAD, IMAGE);
    Deque<Document> queue = new ArrayDeque<>(List.of(document("a", true, new int[] {1, -1, 3}, next)));
    assertThatThrownBy(() -> packer.next(queue::poll)).hasMessageContaining("sequenceLength is 16");
    assertThatThrownBy(() -> new SequencePacker(64, 1, 4, PAD, IMAGE).checkImageFits(5))
        .hasMessageContaining("maxImagesPerSequence is 1");
  }

  @Test
  void theModelRowHasOnePlaceholderPerImageViewWithTheMaskAligned() {
    int[] next = {100};
    SequencePacker packer = new SequencePacker(40, 8, IMAGE_TOKENS, PAD, IMAGE);
    Deque<Document> queue = new ArrayDeque<>(List.of(document("a", true, new int[] {1, -2, 3}, next)));
    PackedSequence sequence = packer.next(queue::poll);
    PackedSequence.ModelRow row = sequence.forModel(IMAGE, IMAGE_TOKENS);
    assertThat(row.tokens()).startsWith(100, IMAGE, IMAGE, 101, 102, 103, PAD).hasSize(40 - 2 * (IMAGE_TOKENS - 1));
    assertThat(row.lossMask()).startsWith(false, false, false, true, true, true, false);
    assertThat(row.segmentIds()).startsWith(1, 1, 1, 1, 1, 1, 0);
  }
}
