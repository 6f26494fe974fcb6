package dev.mm1.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mm1.model.config.MoeConfig;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MixtureOfExpertsTest {
  private static MixtureOfExperts build(MoeConfig config, NDManager manager) {
    var moe = new MixtureOfExperts(16, config);
    ai.djl.engine.Engine.getInstance().setRandomSeed(1);
    moe.initialize(manager, DataType.FLOAT32, new Shape(1));
    return moe;
  }

  private static ai.djl.ndarray.NDArray input(NDManager manager, int tokens) {
    var random = new Random(2);
    var values = new float[tokens * 16];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) random.nextGaussian();
    }
    return manager.create(values, new Shape(2, tokens / 2, 16));
  }

  @Test
  void routerProbabilitiesSumToOneAndLoadSharesSumToOne() {
    try (var manager = NDManager.newBaseManager()) {
      var moe = build(MoeConfig.builder().experts(4).topK(2).expertMlpWidth(32).build(), manager);
      var store = TestModels.store(manager);
      var x = input(manager, 20);
      var sums = moe.routerProbabilities(store, x).sum(new int[] {1}).toFloatArray();
      assertThat(sums).hasSize(20);
      for (float sum : sums) {
        assertThat(sum).isCloseTo(1f, offset(1e-6f));
      }
      var out = moe.route(store, x, false);
      assertThat(out.output().getShape()).isEqualTo(new Shape(2, 10, 16));
      float total = 0;
      for (float share : out.expertLoad()) {
        total += share;
      }
      assertThat(total).isCloseTo(1f, offset(1e-6f));
    }
  }

  @Test
  void uniformRouterGivesTheAnalyticLosses() {
    try (var manager = NDManager.newBaseManager()) {
      int experts = 8;
      var moe = build(MoeConfig.builder().experts(experts).topK(2).expertMlpWidth(32).build(), manager);
      moe.namedParameters().get("router.weight").getArray().set(new float[experts * 16]);
      var out = moe.route(TestModels.store(manager), input(manager, 24), false);
      // P_e = 1/E for every expert, Σ f_e = 1, so E · Σ f_e P_e = 1 whatever the tie-breaking.
      assertThat(out.loadBalanceLoss().getFloat()).isCloseTo(1f, offset(1e-6f));
      // All logits 0: logsumexp = ln E.
      assertThat(out.zLoss().getFloat()).isCloseTo((float) Math.pow(Math.log(experts), 2), offset(1e-5f));
    }
  }

  @Test
  void capacityFactorDropsAssignmentsBeyondEachExpertsCapacity() {
    try (var manager = NDManager.newBaseManager()) {
      var config = MoeConfig.builder().experts(4).topK(2).expertMlpWidth(32).capacityFactor(0.5).build();
      var moe = build(config, manager);
      var out = moe.route(TestModels.store(manager), input(manager, 40), false);
      // 40 tokens · 2 slots = 80 assignments; each expert takes at most ceil(0.5 · 80 / 4) = 10.
      assertThat(out.droppedTokens()).isGreaterThanOrEqualTo(40);
      var unlimited = build(config.toBuilder().capacityFactor(0).build(), manager)
          .route(TestModels.store(manager), input(manager, 40), false);
      assertThat(unlimited.droppedTokens()).isZero();
    }
  }

  @Test
  void topKLargerThanTheExpertsIsRejected() {
    assertThatThrownBy(() -> MoeConfig.builder().experts(4).topK(5).expertMlpWidth(8).build())
        .hasMessageContaining("moe.topK 5 is larger than moe.experts 4").hasMessageContaining("1..4");
  }
}
