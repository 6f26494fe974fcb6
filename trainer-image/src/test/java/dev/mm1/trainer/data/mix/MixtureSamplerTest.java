package dev.mm1.trainer.data.mix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MixtureSamplerTest {
  private static Map<String, Double> proportions(MixtureSampler sampler, int draws) {
    Map<String, Double> counts = new HashMap<>();
    for (int i = 0; i < draws; i++) {
      counts.merge(sampler.next(), 1.0, Double::sum);
    }
    counts.replaceAll((name, count) -> 100 * count / draws);
    return counts;
  }

  @Test
  void mm1MixtureIsHitWithinHalfAPointOver100000Draws() {
    for (long seed = 0; seed < 3; seed++) {
      Map<String, Double> percent = proportions(new MixtureSampler(MixtureSampler.MM1_DEFAULT, SplitMix64.forStream(seed, 0).state()), 100_000);
      assertThat(percent.get("caption")).isCloseTo(45.0, within(0.5));
      assertThat(percent.get("interleaved")).isCloseTo(45.0, within(0.5));
      assertThat(percent.get("text")).isCloseTo(10.0, within(0.5));
    }
  }

  @Test
  void anyNumberOfSourcesWithAnyWeights() {
    Map<String, Double> weights = new LinkedHashMap<>();
    weights.put("a", 1.0);
    weights.put("b", 2.0);
    weights.put("c", 3.5);
    weights.put("d", 0.5);
    weights.put("e", 3.0);
    Map<String, Double> percent = proportions(new MixtureSampler(weights, 42), 100_000);
    weights.forEach((name, weight) -> assertThat(percent.get(name)).as(name).isCloseTo(weight * 10, within(0.5)));
  }

  @Test
  void drawsAreReproducibleBySeedAndResumableFromState() {
    MixtureSampler first = new MixtureSampler(MixtureSampler.MM1_DEFAULT, 5);
    for (int i = 0; i < 1000; i++) {
      first.next();
    }
    MixtureSampler resumed = new MixtureSampler(MixtureSampler.MM1_DEFAULT, first.state());
    for (int i = 0; i < 1000; i++) {
      assertThat(resumed.next()).isEqualTo(first.next());
    }
    MixtureSampler other = new MixtureSampler(MixtureSampler.MM1_DEFAULT, 6);
    MixtureSampler same = new MixtureSampler(MixtureSampler.MM1_DEFAULT, 5);
    StringBuilder a = new StringBuilder();
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 50; i++) {
      a.append(same.next());
      b.append(other.next());
    }
    assertThat(a.toString()).isNotEqualTo(b.toString());
  }

  @Test
  void retiredSourcesAreNoLongerDrawnAndTheRestKeepTheirRatio() {
    MixtureSampler sampler = new MixtureSampler(MixtureSampler.MM1_DEFAULT, 9);
    sampler.retire("interleaved");
    Map<String, Double> percent = proportions(sampler, 100_000);
    assertThat(percent).doesNotContainKey("interleaved");
    assertThat(percent.get("caption")).isCloseTo(100 * 45 / 55.0, within(0.5));
  }

  @Test
  void weightsMustBePositive() {
    assertThatThrownBy(() -> new MixtureSampler(Map.of("a", 0.0), 1)).hasMessageContaining("weight of source 'a'");
    assertThatThrownBy(() -> new MixtureSampler(Map.of(), 1)).hasMessageContaining("at least one source");
  }
}
