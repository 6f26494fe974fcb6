package dev.mm1.controlplane;

import static dev.mm1.controlplane.Api.admin;
import static dev.mm1.controlplane.Api.metrics;
import static dev.mm1.controlplane.Api.point;
import static dev.mm1.controlplane.Api.training;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import dev.mm1.api.rest.MetricSeries;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Batch ingestion (idempotent, validated) and downsampled queries that keep the extremes. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class MetricApiTest {
  @jakarta.inject.Inject
  dev.mm1.controlplane.db.Transactions db;

  /** The first series of a query, parsed as the API's record (doubles stay doubles). */
  private static MetricSeries query(String runId, String name, String range) {
    return admin().get("/api/v1/runs/" + runId + "/metrics?name=" + name + range).then().statusCode(200)
        .extract().as(MetricSeries[].class)[0];
  }

  @Test
  void ingestionIsIdempotentOnRunNameAndStep() {
    String run = training("idempotent-run", null);
    List<Map<String, Object>> batch = List.of(point("loss", 1, 2.5), point("loss", 2, 2.25), point("lr", 1, 1e-4),
        point("loss", 2, 2.0)); // a repeat within the batch: the last value wins
    admin().body(Map.of("points", batch)).post("/api/v1/runs/" + run + "/metrics").then().statusCode(200)
        .body("points", equalTo(3)).body("series", equalTo(2)).body("maxStep", equalTo(2));
    metrics(run, batch); // a retried request
    MetricSeries loss = query(run, "loss", "");
    assertThat(loss.steps()).containsExactly(1L, 2L);
    assertThat(loss.values()).containsExactly(2.5, 2.0);
    metrics(run, List.of(point("loss", 2, 1.75))); // a resumed trainer reports step 2 again
    assertThat(query(run, "loss", "").values()).containsExactly(2.5, 1.75);
    admin().get("/api/v1/runs/" + run).then().body("step", equalTo(2)).body("loss", equalTo(1.75f));
    admin().get("/api/v1/runs/" + run + "/metrics/names").then().body("$", equalTo(List.of("loss", "lr")));
  }

  @Test
  void badPointsAreRejectedAndNothingIsStored() {
    String run = training("bad-points-run", null);
    admin().body("{\"points\": [{\"name\": \"loss\", \"step\": 1, \"value\": 1.0}, {\"name\": \"loss\", \"step\": 2, \"value\": \"NaN\"}]}")
        .post("/api/v1/runs/" + run + "/metrics").then().statusCode(400).contentType("application/problem+json")
        .body("detail", containsString("points[1].value: NaN is not stored"));
    admin().body("{\"points\": [{\"name\": \"loss\", \"step\": 1, \"value\": 1e999}]}")
        .post("/api/v1/runs/" + run + "/metrics").then().statusCode(400)
        .body("detail", containsString("points[0].value: Infinity"));
    admin().body("{\"points\": [{\"name\": \"loss\", \"step\": \"abc\", \"value\": 1}]}")
        .post("/api/v1/runs/" + run + "/metrics").then().statusCode(400)
        .body("detail", containsString("points[0].step"));
    admin().body(Map.of("points", List.of(point("loss", -5, 1.0))))
        .post("/api/v1/runs/" + run + "/metrics").then().statusCode(400).body("detail", containsString("points[0].step: -5"));
    admin().body(Map.of("points", List.of(point("", 5, 1.0))))
        .post("/api/v1/runs/" + run + "/metrics").then().statusCode(400).body("detail", containsString("points[0].name"));
    List<Map<String, Object>> huge = new ArrayList<>();
    for (int i = 0; i < 10_001; i++) {
      huge.add(point("loss", i, 1.0));
    }
    admin().body(Map.of("points", huge)).post("/api/v1/runs/" + run + "/metrics").then().statusCode(413)
        .contentType("application/problem+json")
        .body("detail", containsString("the batch has 10001 points; the limit is 10000"));
    admin().get("/api/v1/runs/" + run + "/metrics/names").then().body("$", equalTo(List.of()));
    admin().get("/api/v1/runs/" + run).then().body("step", equalTo(null));
  }

  @Test
  void downsamplingReturnsAtMostMaxPointsAndKeepsTheExtremes() {
    String run = training("downsample-run", null);
    int n = 120_000;
    double[] values = new double[n];
    Random random = new Random(42);
    for (int i = 0; i < n; i++) {
      values[i] = 3.0 * Math.exp(-i / 30_000.0) + random.nextGaussian() * 0.01;
    }
    values[77_777] = -5.0; // a single-step dip and spike: must survive any downsampling
    values[3_333] = 50.0;
    for (int start = 0; start < n; start += 10_000) {
      List<Map<String, Object>> batch = new ArrayList<>();
      for (int i = start; i < start + 10_000; i++) {
        batch.add(point("loss", i, values[i]));
      }
      metrics(run, batch);
    }
    for (String range : List.of("&maxPoints=100", "&maxPoints=1000", "&maxPoints=37&from=1000&to=100000",
        "&maxPoints=500&from=70001&to=80123", "&maxPoints=10&from=3000&to=3400")) {
      MetricSeries series = query(run, "loss", range);
      List<Long> steps = series.steps();
      List<Double> got = series.values();
      int maxPoints = Integer.parseInt(range.replaceAll(".*maxPoints=(\\d+).*", "$1"));
      long from = range.contains("from=") ? Long.parseLong(range.replaceAll(".*from=(\\d+).*", "$1")) : 0;
      long to = range.contains("to=") ? Long.parseLong(range.replaceAll(".*to=(\\d+).*", "$1")) : n - 1;
      int argMin = (int) from;
      int argMax = (int) from;
      for (int i = (int) from; i <= to; i++) {
        argMin = values[i] < values[argMin] ? i : argMin;
        argMax = values[i] > values[argMax] ? i : argMax;
      }
      assertThat(steps).as(range).hasSizeLessThanOrEqualTo(maxPoints).hasSizeGreaterThan(maxPoints / 4).isSorted();
      assertThat(steps).as(range).allSatisfy(s -> assertThat(s).isBetween(from, to));
      assertThat(series.downsampled()).isTrue();
      assertThat(got).as(range).contains(values[argMin], values[argMax]);
      assertThat(steps.get(got.indexOf(values[argMin]))).as(range).isEqualTo(argMin);
      assertThat(steps.get(got.indexOf(values[argMax]))).as(range).isEqualTo(argMax);
      for (int i = 0; i < steps.size(); i++) {
        assertThat(got.get(i)).isEqualTo(values[steps.get(i).intValue()]); // real points, not averages
      }
    }
    // Replacing the spike (a resumed trainer re-reporting step 3333) must remove it from every level.
    values[3_333] = 1.0;
    metrics(run, List.of(point("loss", 3_333, 1.0)));
    double newMax = Arrays.stream(values).max().orElseThrow();
    MetricSeries afterReplace = query(run, "loss", "&maxPoints=100");
    assertThat(afterReplace.values()).doesNotContain(50.0).contains(newMax, -5.0);

    MetricSeries small = query(run, "loss", "&from=500&to=549&maxPoints=100");
    assertThat(small.steps()).hasSize(50).first().isEqualTo(500L);
    assertThat(small.downsampled()).isFalse();
    admin().get("/api/v1/runs/" + run + "/metrics?name=loss&maxPoints=5").then().statusCode(400)
        .body("detail", containsString("maxPoints: 5 is outside 10..100000"));
    admin().get("/api/v1/runs/" + run + "/metrics?name=loss&from=10&to=5").then().statusCode(400)
        .body("detail", containsString("to: 5 is before from (10)"));
    admin().get("/api/v1/runs/" + run + "/metrics").then().statusCode(400).body("detail", containsString("name is required"));
    admin().get("/api/v1/runs/" + run + "/metrics?name=no-such-series").then().statusCode(200)
        .body("[0].steps", equalTo(List.of()));
  }

  /**
   * Concurrent writers of one series (new points merge into shared rollup rows) mixed with
   * batches that repeat stored steps with other values (the conflict-aware path, which recomputes
   * buckets): a downsampled query right after ingestion still returns the true extremes at their steps.
   */
  @Test
  void concurrentAndRepeatingBatchesKeepDownsamplingExact() throws Exception {
    String run = training("concurrent-rollup-run", null);
    int batches = 24;
    int size = 2_000;
    double[] values = new double[batches * size];
    Random random = new Random(7);
    for (int i = 0; i < values.length; i++) {
      values[i] = random.nextGaussian();
    }
    values[31_111] = 40.0;
    values[5_000] = -40.0; // reported again later with an ordinary value: must vanish from every level
    List<List<Map<String, Object>>> bodies = new ArrayList<>();
    for (int b = 0; b < batches; b++) {
      List<Map<String, Object>> batch = new ArrayList<>();
      for (int i = b * size; i < (b + 1) * size; i++) {
        batch.add(point("loss", i, values[i]));
      }
      bodies.add(batch);
    }
    try (var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
      List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
      for (var batch : bodies) {
        sent.add(pool.submit(() -> metrics(run, batch)));
      }
      for (var f : sent) {
        f.get();
      }
    }
    // A resumed trainer: steps 4 000..5 999 again with new values, plus 500 new steps.
    List<Map<String, Object>> resumed = new ArrayList<>();
    values = Arrays.copyOf(values, values.length + 500);
    for (int i = 4_000; i < 6_000; i++) {
      values[i] = i == 5_000 ? 0.5 : random.nextGaussian();
      resumed.add(point("loss", i, values[i]));
    }
    for (int i = batches * size; i < values.length; i++) {
      values[i] = random.nextGaussian();
      resumed.add(point("loss", i, values[i]));
    }
    metrics(run, resumed);
    int argMin = 0;
    int argMax = 0;
    for (int i = 0; i < values.length; i++) {
      argMin = values[i] < values[argMin] ? i : argMin;
      argMax = values[i] > values[argMax] ? i : argMax;
    }
    for (String range : List.of("&maxPoints=100", "&maxPoints=20", "&maxPoints=1000")) {
      MetricSeries series = query(run, "loss", range);
      assertThat(series.downsampled()).isTrue();
      assertThat(series.values()).as(range).doesNotContain(-40.0).contains(values[argMin], values[argMax]);
      assertThat(series.steps().get(series.values().indexOf(values[argMin]))).as(range).isEqualTo(argMin);
      assertThat(series.steps().get(series.values().indexOf(values[argMax]))).as(range).isEqualTo(argMax);
      for (int i = 0; i < series.steps().size(); i++) {
        assertThat(series.values().get(i)).isEqualTo(values[series.steps().get(i).intValue()]);
      }
    }
    admin().get("/api/v1/runs/" + run).then().body("step", equalTo(values.length - 1));
  }

  /** Bodies beyond the common {name, step, value} shape (a time, an unknown field, a value as a string) read as before. */
  @Test
  void batchesWithTimesAndOtherShapesAreReadLikeAnyBody() {
    String run = training("batch-shapes-run", null);
    admin().body("{\"points\": [{\"step\": 1, \"value\": 2, \"name\": \"loss\"},"
            + " {\"name\": \"loss\", \"step\": 2, \"value\": \"1.5\", \"time\": \"2026-01-01T00:00:00Z\"}]}")
        .post("/api/v1/runs/" + run + "/metrics").then().statusCode(200).body("points", equalTo(2));
    assertThat(query(run, "loss", "").values()).containsExactly(2.0, 1.5);
    admin().body("{\"points\": [{\"name\": \"loss\", \"step\": 1, \"value\": 1}").post("/api/v1/runs/" + run + "/metrics")
        .then().statusCode(400).body("detail", containsString("points: Unexpected end-of-input"));
    admin().body("").post("/api/v1/runs/" + run + "/metrics").then().statusCode(400)
        .body("detail", containsString("points is required"));
  }

  /**
   * Points live in chunks of batches; batches that reach into, between and across stored chunks
   * (retries, resumed trainers, late points) must read back exactly like one series of points:
   * checked against a sorted map after every batch, over ranges that start and end inside chunks.
   */
  @Test
  void overlappingBatchesReadBackLikeOneSeriesOfPoints() {
    String run = training("chunk-merge-run", null);
    java.util.TreeMap<Long, Double> model = new java.util.TreeMap<>();
    Random random = new Random(11);
    for (int round = 0; round < 30; round++) {
      List<Map<String, Object>> batch = new ArrayList<>();
      long start = random.nextInt(3_000);
      int length = 1 + random.nextInt(round % 5 == 0 ? 2_000 : 300);
      int stride = 1 + random.nextInt(3);
      for (long step = start; step < start + (long) length * stride; step += stride) {
        double value = Math.round(random.nextGaussian() * 1e6) / 1e6;
        batch.add(point("loss", step, value));
        model.put(step, value);
      }
      metrics(run, batch);
      long from = random.nextInt(3_500);
      long to = from + random.nextInt(2_000);
      MetricSeries series = query(run, "loss", "&maxPoints=100000&from=" + from + "&to=" + to);
      assertThat(series.downsampled()).isFalse();
      assertThat(series.steps()).as("round %d, steps %d..%d", round, from, to)
          .containsExactlyElementsOf(model.subMap(from, true, to, true).keySet());
      assertThat(series.values()).as("round %d", round)
          .containsExactlyElementsOf(model.subMap(from, true, to, true).values());
    }
    MetricSeries all = query(run, "loss", "&maxPoints=100000");
    assertThat(all.steps()).containsExactlyElementsOf(model.keySet());
    assertThat(all.values()).containsExactlyElementsOf(model.values());
    // Downsampled over everything: the true extremes at their steps.
    var min = model.entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow();
    var max = model.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow();
    MetricSeries downsampled = query(run, "loss", "&maxPoints=50");
    assertThat(downsampled.downsampled()).isTrue();
    assertThat(downsampled.steps().get(downsampled.values().indexOf(min.getValue()))).isEqualTo(min.getKey());
    assertThat(downsampled.steps().get(downsampled.values().indexOf(max.getValue()))).isEqualTo(max.getKey());
    admin().get("/api/v1/runs/" + run).then().body("step", equalTo(model.lastKey().intValue()));
  }

  /** A trainer reporting every step: one-point batches grow the series' last chunk instead of making a chunk each. */
  @Test
  void smallBatchesAreAppendedToTheLastChunk() throws Exception {
    String run = training("small-batches-run", null);
    for (int step = 0; step < 300; step++) {
      metrics(run, List.of(point("loss", step, step * 0.5), point("lr", step, 1e-4)));
    }
    metrics(run, List.of(point("loss", 150, -1.0))); // a repeat inside an appended chunk
    MetricSeries loss = query(run, "loss", "&maxPoints=1000");
    assertThat(loss.steps()).hasSize(300).isSorted();
    assertThat(loss.values().get(150)).isEqualTo(-1.0);
    assertThat(loss.values().get(299)).isEqualTo(149.5);
    List<Integer> chunkSizes = db.read(c -> {
      try (var select = c.prepareStatement("SELECT cardinality(steps) FROM metric_chunk JOIN metric_series s"
          + " ON s.id = series_id WHERE s.run_id = ? AND s.name = 'lr' ORDER BY first_step")) {
        select.setLong(1, Long.parseLong(run));
        try (var rs = select.executeQuery()) {
          List<Integer> sizes = new ArrayList<>();
          while (rs.next()) {
            sizes.add(rs.getInt(1));
          }
          return sizes;
        }
      }
    });
    assertThat(chunkSizes).containsExactly(128, 128, 44);
  }

  /** Every returned point carries the time it was recorded, raw or downsampled, and after a replacement. */
  @Test
  void pointsComeWithTheirRecordedTimes() {
    String run = training("times-run", null);
    java.time.Instant start = java.time.Instant.parse("2026-03-01T10:00:00Z");
    int n = 5_000;
    for (int first = 0; first < n; first += 1_000) {
      List<Map<String, Object>> batch = new ArrayList<>();
      for (int step = first; step < first + 1_000; step++) {
        // time = start + 2 s per step + 7 ms per step, so a time names its step
        batch.add(Map.of("name", "loss", "step", step, "value", Math.sin(step / 50.0),
            "time", start.plusMillis(2_007L * step).toString()));
      }
      metrics(run, batch);
    }
    for (String range : List.of("&maxPoints=100000", "&maxPoints=60", "&maxPoints=50&from=130&to=4321")) {
      MetricSeries series = query(run, "loss", range);
      assertThat(series.times()).as(range).hasSameSizeAs(series.steps());
      for (int i = 0; i < series.steps().size(); i++) {
        assertThat(series.times().get(i)).as(range).isEqualTo(start.toEpochMilli() + 2_007L * series.steps().get(i));
      }
    }
    // A resumed trainer reports steps again later: the new points' times replace the old ones.
    java.time.Instant later = start.plusSeconds(86_400);
    List<Map<String, Object>> again = new ArrayList<>();
    for (int step = 4_000; step < 4_100; step++) {
      again.add(Map.of("name", "loss", "step", step, "value", 9.0 + step, "time", later.plusMillis(step).toString()));
    }
    metrics(run, again);
    MetricSeries downsampled = query(run, "loss", "&maxPoints=40");
    int top = downsampled.steps().indexOf(4_099L);
    assertThat(top).isNotNegative();
    assertThat(downsampled.times().get(top)).isEqualTo(later.toEpochMilli() + 4_099);
  }

  /** The series of several runs in one request, with one step range for all or one per run. */
  @Test
  void severalRunsInOneRequest() {
    String a = training("overlay-a", null);
    String b = training("overlay-b", null);
    List<Map<String, Object>> points = new ArrayList<>();
    for (int step = 0; step < 100; step++) {
      points.add(point("loss", step, step));
    }
    metrics(a, points);
    metrics(b, points.subList(0, 50));
    var both = admin().get("/api/v1/metrics?run=" + a + "&run=" + b + "&name=loss&name=absent&to=59").then()
        .statusCode(200).extract().as(dev.mm1.api.rest.RunMetrics[].class);
    assertThat(both).extracting(dev.mm1.api.rest.RunMetrics::runId).containsExactly(a, b);
    assertThat(both[0].series().get(0).steps()).hasSize(60);
    assertThat(both[1].series().get(0).steps()).hasSize(50);
    assertThat(both[0].series().get(1).name()).isEqualTo("absent");
    assertThat(both[0].series().get(1).steps()).isEmpty();
    var perRun = admin().get("/api/v1/metrics?run=" + a + "&run=" + b + "&name=loss&from=10&from=20&to=19&to=24")
        .then().statusCode(200).extract().as(dev.mm1.api.rest.RunMetrics[].class);
    assertThat(perRun[0].series().get(0).steps()).containsExactly(10L, 11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L);
    assertThat(perRun[1].series().get(0).steps()).containsExactly(20L, 21L, 22L, 23L, 24L);

    admin().get("/api/v1/metrics?name=loss").then().statusCode(400).body("detail", containsString("run is required"));
    admin().get("/api/v1/metrics?run=" + a + "&run=999999999&name=loss").then().statusCode(404)
        .body("detail", containsString("run: no run with id '999999999'"));
    admin().get("/api/v1/metrics?run=" + a + "&run=x&name=loss").then().statusCode(404)
        .body("detail", containsString("run: no run with id 'x'"));
    admin().get("/api/v1/metrics?run=" + a + "&run=" + b + "&name=loss&from=1&from=2&from=3").then().statusCode(400)
        .body("detail", containsString("from: 3 values for 2 runs"));
    admin().get("/api/v1/metrics?run=" + a + "&run=" + b + "&name=loss&from=5&from=9&to=10&to=8").then().statusCode(400)
        .body("detail", containsString("to[1]: 8 is before from (9)"));
  }
}
