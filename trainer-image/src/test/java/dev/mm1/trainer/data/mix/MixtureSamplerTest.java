package dev.mm1.trainer.data.mix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MixtureSamplerTest {
  /** Document sizes unlike each other, as caption pairs, interleaved stories and text documents are. */
  private static long documentTokens(String source, Random random) {
    return switch (source) {
      case "caption" -> 40 + random.nextInt(20);
      case "interleaved" -> 300 + random.nextInt(3800);
      default -> 50 + random.nextInt(500);
    };
  }

  /** Percent of the tokens each source got over {@code draws} documents. */
  private static Map<String, Double> tokenShares(MixtureSampler sampler, int draws, long seed) {
    var random = new Random(seed);
    Map<String, Double> tokens = new HashMap<>();
    double total = 0;
    for (int i = 0; i < draws; i++) {
      String source = sampler.next();
      long count = documentTokens(source, random);
      sampler.record(source, count);
      tokens.merge(source, (double) count, Double::sum);
      total += count;
    }
    final double all = total;
    tokens.replaceAll((name, count) -> 100 * count / all);
    return tokens;
  }

  @Test
  void mm1MixtureIsHitInTokensNotInDocuments() {
    for (long seed = 0; seed < 3; seed++) {
      var sampler = new MixtureSampler(MixtureSampler.MM1_DEFAULT, SplitMix64.forStream(seed, 0).state());
      Map<String, Double> percent = tokenShares(sampler, 20_000, seed);
      assertThat(percent.get("caption")).isCloseTo(45.0, within(0.5));
      assertThat(percent.get("interleaved")).isCloseTo(45.0, within(0.5));
      assertThat(percent.get("text")).isCloseTo(10.0, within(0.5));
    }
  }

  @Test
  void sharesStayCloseAtEveryPointNotOnlyOnAverage() {
    var sampler = new MixtureSampler(MixtureSampler.MM1_DEFAULT, 3);
    var random = new Random(3);
    for (int i = 0; i < 500; i++) {
      String source = sampler.next();
      sampler.record(source, documentTokens(source, random));
      var tokens = sampler.tokens();
      long total = tokens.values().stream().mapToLong(Long::longValue).sum();
      // Never further from its share than the largest document (4 100 tokens).
      assertThat(Math.abs(tokens.get("caption") - 0.45 * total)).as("after %d documents", i).isLessThan(4_100.0);
      assertThat(Math.abs(tokens.get("text") - 0.10 * total)).as("after %d documents", i).isLessThan(4_100.0);
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
    Map<String, Double> percent = tokenShares(new MixtureSampler(weights, 42), 20_000, 1);
    weights.forEach((name, weight) -> assertThat(percent.get(name)).as(name).isCloseTo(weight * 10, within(0.5)));
  }

  @Test
  void choicesAreReproducibleBySeedAndResumableFromStateAndTokens() {
    var random = new Random(1);
    MixtureSampler first = new MixtureSampler(MixtureSampler.MM1_DEFAULT, 5);
    for (int i = 0; i < 1000; i++) {
      String source = first.next();
      first.record(source, documentTokens(source, random));
    }
    MixtureSampler resumed = new MixtureSampler(MixtureSampler.MM1_DEFAULT, first.state(), first.tokens());
    for (int i = 0; i < 1000; i++) {
      String a = resumed.next();
      String b = first.next();
      assertThat(a).isEqualTo(b);
      long count = documentTokens(a, random);
      resumed.record(a, count);
      first.record(b, count);
    }
    // Ties at the start are broken by the seed.
    StringBuilder fromSix = new StringBuilder();
    StringBuilder fromFive = new StringBuilder();
    for (long seed = 0; seed < 20; seed++) {
      fromFive.append(new MixtureSampler(MixtureSampler.MM1_DEFAULT, 5 + 2 * seed).next());
      fromSix.append(new MixtureSampler(MixtureSampler.MM1_DEFAULT, 6 + 2 * seed).next());
    }
    assertThat(fromFive.toString()).isNotEqualTo(fromSix.toString());
  }

  @Test
  void retiredSourcesAreNoLongerDrawnAndTheRestKeepTheirRatio() {
    MixtureSampler sampler = new MixtureSampler(MixtureSampler.MM1_DEFAULT, 9);
    sampler.retire("interleaved");
    Map<String, Double> percent = tokenShares(sampler, 20_000, 2);
    assertThat(percent).doesNotContainKey("interleaved");
    assertThat(percent.get("caption")).isCloseTo(100 * 45 / 55.0, within(0.5));
  }

  @Test
  void weightsMustBePositive() {
    assertThatThrownBy(() -> new MixtureSampler(Map.of("a", 0.0), 1)).hasMessageContaining("weight of source 'a'");
    assertThatThrownBy(() -> new MixtureSampler(Map.of(), 1)).hasMessageContaining("at least one source");
  }
}
