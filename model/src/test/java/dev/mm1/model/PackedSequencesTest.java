package dev.mm1.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.mm1.model.config.Presets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Packed documents do not see each other: each gets the logits and loss it would get alone. */
class PackedSequencesTest {
  @ParameterizedTest
  @ValueSource(strings = {"tiny", "tiny-moe"})
  void aDocumentPackedAfterAnotherGetsTheLogitsItGetsAlone(String preset) {
    try (var manager = NDManager.newBaseManager()) {
      var model = TestModels.build(Presets.get(preset), manager, 21);
      var store = TestModels.store(manager);
      int image = Presets.IMAGE_TOKEN;
      var first = new int[] {1, 40, 41, 42, 2};
      var second = new int[] {1, image, 50, 51, 52, 53, 2};
      var packed = concat(first, second);
      var segments = new int[packed.length];
      for (int i = 0; i < packed.length; i++) {
        segments[i] = i < first.length ? 1 : 2;
      }
      var images = TestModels.images(manager, 1, 32, 5);
      var together = model.forward(store, new MultimodalBatch(new int[][] {packed}, images, null,
          new int[][] {segments}), manager, false);
      var alone = model.forward(store, MultimodalBatch.of(new int[][] {second}, images), manager, false);
      int imageTokens = model.config().connector().imageTokens();
      int secondLength = second.length + imageTokens - 1;
      var packedSecond = together.logits().get(new NDIndex("0, " + first.length + ":"));
      assertThat(packedSecond.getShape().get(0)).isEqualTo(secondLength);
      assertThat(DecoderTest.maxAbsDifference(packedSecond, alone.logits().get(new NDIndex("0")))).isLessThan(1e-4f);

      // Without segments the second document sees the first: its logits change.
      var leaky = model.forward(store, MultimodalBatch.of(new int[][] {packed}, images), manager, false);
      assertThat(DecoderTest.maxAbsDifference(leaky.logits().get(new NDIndex("0, " + first.length + ":")),
          alone.logits().get(new NDIndex("0")))).isGreaterThan(1e-3f);

      // The last token of the first document does not predict the first token of the second.
      int targetsAlone = model.targetCount(MultimodalBatch.text(new int[][] {first}))
          + model.targetCount(MultimodalBatch.of(new int[][] {second}, images));
      assertThat(together.targets()).isEqualTo(targetsAlone);
      assertThat(leaky.targets()).isEqualTo(targetsAlone + 1);
    }
  }

  static int[] concat(int[] a, int[] b) {
    var out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
