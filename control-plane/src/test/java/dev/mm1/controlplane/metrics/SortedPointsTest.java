package dev.mm1.controlplane.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mm1.api.rest.MetricPoint;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** How a batch is ordered and deduplicated before it reaches the database. */
class SortedPointsTest {
  private static final Map<String, Integer> SERIES = Map.of("loss", 7, "lr", 3, "tokens_per_s", 9);

  @Test
  void interleavedSeriesAreSortedBySeriesThenStep() {
    // A trainer's usual batch: every series at each step.
    List<MetricPoint> points = new ArrayList<>();
    for (long step = 10; step < 13; step++) {
      points.add(new MetricPoint("loss", step, step * 1.0, null));
      points.add(new MetricPoint("lr", step, step * 0.1, null));
    }
    SortedPoints sorted = SortedPoints.of(points, SERIES, 100L);

    assertThat(sorted.ids()).containsExactly(3, 3, 3, 7, 7, 7);
    assertThat(sorted.steps()).containsExactly(10, 11, 12, 10, 11, 12);
    assertThat(sorted.values()).containsExactly(1.0, 1.1, 1.2000000000000002, 10.0, 11.0, 12.0);
    assertThat(sorted.timesMicros()).containsOnly(100L);
    assertThat(sorted.seriesCount()).isEqualTo(2);
    assertThat(sorted.maxStep()).isEqualTo(12);
    assertThat(sorted.latest(7)).isEqualTo(5);
    assertThat(sorted.latest(9)).isEqualTo(-1);
    assertThat(sorted.latest(null)).isEqualTo(-1);
    // One chunk per series, with its step range and its slice of the arrays (counted from 1, as in SQL).
    SortedPoints.Chunks chunks = sorted.chunks();
    assertThat(chunks.seriesIds()).containsExactly(3, 7);
    assertThat(chunks.firstSteps()).containsExactly(10L, 10L);
    assertThat(chunks.lastSteps()).containsExactly(12L, 12L);
    assertThat(chunks.firstPoints()).containsExactly(1, 4);
    assertThat(chunks.points()).containsExactly(3, 3);
  }

  @Test
  void aPointRepeatedInTheBatchKeepsItsLastValueAndTime() {
    List<MetricPoint> points = List.of(
        new MetricPoint("loss", 5, 1.0, Instant.ofEpochSecond(50)),
        new MetricPoint("loss", 4, 2.0, null),
        new MetricPoint("loss", 5, 3.0, Instant.ofEpochSecond(60, 500_001_999)),
        new MetricPoint("lr", 5, 4.0, null),
        new MetricPoint("loss", 5, 5.0, Instant.ofEpochSecond(70)));
    SortedPoints sorted = SortedPoints.of(points, SERIES, 1L);

    assertThat(sorted.size()).isEqualTo(3);
    assertThat(sorted.ids()).containsExactly(3, 7, 7);
    assertThat(sorted.steps()).containsExactly(5, 4, 5);
    assertThat(sorted.values()).containsExactly(4.0, 2.0, 5.0);
    assertThat(sorted.timesMicros()).containsExactly(1L, 1L, 70_000_000L);
  }

  @Test
  void timesAreExactMicrosecondsOverTheAcceptedYears() {
    assertThat(SortedPoints.epochMicros(Instant.ofEpochSecond(60, 500_001_999))).isEqualTo(60_500_001L);
    assertThat(SortedPoints.epochMicros(Instant.parse("0001-01-01T00:00:00Z"))).isEqualTo(-62_135_596_800_000_000L);
    assertThat(SortedPoints.epochMicros(Instant.parse("9999-12-31T23:59:59.999999Z"))).isEqualTo(253_402_300_799_999_999L);
    assertThat(SortedPoints.epochMicros(Instant.parse("1969-12-31T23:59:59.5Z"))).isEqualTo(-500_000L);
  }

  @Test
  void anyOrderGivesTheOrderAndLastWinsOfAReferenceSort() {
    Random random = new Random(42);
    String[] names = {"loss", "lr", "tokens_per_s"};
    for (int round = 0; round < 200; round++) {
      List<MetricPoint> points = new ArrayList<>();
      // (series id, step) → value of the last point with that key, in a reference sorted map.
      TreeMap<String, Double> expected = new TreeMap<>();
      int n = 1 + random.nextInt(300);
      for (int i = 0; i < n; i++) {
        String name = names[random.nextInt(names.length)];
        long step = random.nextInt(50);
        double value = random.nextDouble();
        points.add(new MetricPoint(name, step, value, null));
        expected.put("%03d/%05d".formatted(SERIES.get(name), step), value);
      }
      SortedPoints sorted = SortedPoints.of(points, SERIES, 0L);

      List<String> keys = new ArrayList<>();
      List<Double> values = new ArrayList<>();
      for (int k = 0; k < sorted.size(); k++) {
        keys.add("%03d/%05d".formatted(sorted.ids()[k], sorted.steps()[k]));
        values.add(sorted.values()[k]);
      }
      assertThat(keys).containsExactlyElementsOf(expected.keySet());
      assertThat(values).containsExactlyElementsOf(expected.values());
    }
  }
}
