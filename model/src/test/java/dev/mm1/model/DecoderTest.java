package dev.mm1.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.mm1.model.config.Presets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DecoderTest {
  @ParameterizedTest
  @ValueSource(strings = {"tiny", "tiny-moe"})
  void changingALaterTokenLeavesEarlierLogitsUnchanged(String preset) {
    try (var manager = NDManager.newBaseManager()) {
      var model = TestModels.build(Presets.get(preset), manager, 5);
      var store = TestModels.store(manager);
      var tokens = TestModels.tokens(12, 8192, 3);
      var changed = tokens.clone();
      changed[7] = tokens[7] == 100 ? 101 : 100;
      var a = model.forward(store, manager.create(new int[][] {tokens}), false);
      var b = model.forward(store, manager.create(new int[][] {changed}), false);
      // Positions 0..6 see only tokens 0..6 (MoE experts batch rows differently: rounding only).
      assertThat(maxAbsDifference(a.get(new NDIndex(":, :7")), b.get(new NDIndex(":, :7")))).isLessThan(1e-5f);
      // Every position from 7 on sees the change.
      for (int t = 7; t < 12; t++) {
        assertThat(maxAbsDifference(a.get(new NDIndex(":, " + t)), b.get(new NDIndex(":, " + t))))
            .as("position %d", t).isGreaterThan(1e-3f);
      }
    }
  }

  /** Capacity 0 grows from the prompt's size by doubling; 5 grows mid-generation; 10 never grows. */
  @ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource({"tiny, 0", "tiny-moe, 0", "tiny, 5", "tiny, 10"})
  void kvCacheGivesTheLogitsOfAFullRecompute(String preset, int capacity) {
    try (var manager = NDManager.newBaseManager()) {
      var model = TestModels.build(Presets.get(preset), manager, 9);
      var store = TestModels.store(manager);
      var decoder = model.decoder();
      var tokens = TestModels.tokens(10, 8192, 4);
      var full = model.forward(store, manager.create(new int[][] {tokens}), false).toFloatArray(); // (1, 10, V)
      try (var cache = new KvCache(manager, decoder.config().layers(), capacity)) {
        // A 4-token prompt, then one token at a time.
        var prompt = manager.create(new int[][] {java.util.Arrays.copyOf(tokens, 4)});
        var logits = decoder.run(store, decoder.embed(store, prompt, false), false, cache).logits();
        var incremental = new float[full.length];
        System.arraycopy(logits.toFloatArray(), 0, incremental, 0, 4 * 8192);
        for (int t = 4; t < tokens.length; t++) {
          var step = manager.create(new int[][] {{tokens[t]}});
          var stepLogits = decoder.run(store, decoder.embed(store, step, false), false, cache).logits();
          assertThat(stepLogits.getShape()).isEqualTo(new Shape(1, 1, 8192));
          System.arraycopy(stepLogits.toFloatArray(), 0, incremental, t * 8192, 8192);
        }
        assertThat(cache.length()).isEqualTo(10);
        float worst = 0;
        for (int i = 0; i < full.length; i++) {
          worst = Math.max(worst, Math.abs(incremental[i] - full[i]));
        }
        assertThat(worst).isLessThan(1e-5f);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"tiny"})
  void greedyGenerationWithTheCacheMatchesArgmaxOfFullRecomputes(String preset) {
    try (var manager = NDManager.newBaseManager()) {
      var model = TestModels.build(Presets.get(preset), manager, 13);
      var store = TestModels.store(manager);
      var prompt = new int[] {20, Presets.IMAGE_TOKEN, 21, 22};
      var image = TestModels.images(manager, 1, 32, 8);
      var generated = model.generate(store, MultimodalBatch.of(new int[][] {prompt}, image), 6, -1, manager);
      assertThat(generated).hasSize(6);
      // Recompute: append each generated token and take the argmax of the last position.
      var sequence = new java.util.ArrayList<Integer>();
      for (int id : prompt) {
        sequence.add(id);
      }
      for (int expected : generated) {
        var ids = sequence.stream().mapToInt(Integer::intValue).toArray();
        var out = model.forward(store, MultimodalBatch.of(new int[][] {ids}, image), manager, false);
        long next = out.logits().get(new NDIndex("0, -1")).argMax().getLong();
        assertThat(next).isEqualTo(expected);
        sequence.add(expected);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"tiny", "tiny-moe"})
  void batchedGenerationEqualsOneAtATime(String preset) {
    try (var manager = NDManager.newBaseManager()) {
      var model = TestModels.build(Presets.get(preset), manager, 17);
      var store = TestModels.store(manager);
      int image = Presets.IMAGE_TOKEN;
      var prompts = new int[][] {
          {20, image, 21, 22},
          {30, 31, 32, image, 33, 34, 35, 36, 37},
          {image, 40}};
      var images = TestModels.images(manager, 3, 32, 8);
      var batched = model.generate(store, MultimodalBatch.of(prompts, images), 7, new int[] {-1}, manager);
      for (int r = 0; r < prompts.length; r++) {
        var alone = model.generate(store, MultimodalBatch.of(new int[][] {prompts[r]},
            images.get(new NDIndex(r + ":" + (r + 1)))), 7, -1, manager);
        assertThat(batched[r]).as("row %d", r).containsExactly(alone);
      }
      // A stop token ends its row only (the token is kept), the others run on.
      int stop = batched[1][2];
      var stopped = model.generate(store, MultimodalBatch.of(prompts, images), 7, new int[] {stop}, manager);
      for (int r = 0; r < prompts.length; r++) {
        int end = 0;
        while (end < batched[r].length && batched[r][end] != stop) {
          end++;
        }
        assertThat(stopped[r]).containsExactly(java.util.Arrays.copyOf(batched[r], Math.min(batched[r].length, end + 1)));
      }
    }
  }

  static float maxAbsDifference(ai.djl.ndarray.NDArray a, ai.djl.ndarray.NDArray b) {
    return a.sub(b).abs().max().getFloat();
  }
}
