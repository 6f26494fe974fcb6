package dev.mm1.trainer.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mm1.api.rest.RunState;
import dev.mm1.api.v1alpha1.ModelPreset;
import dev.mm1.trainer.TestRuns;
import dev.mm1.trainer.config.TrainingJob;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlPlaneReporterTest {
  @TempDir
  Path dir;

  @Test
  void anOutageLosesNothingAndNothingIsSentTwice() throws Exception {
    try (var server = new FakeControlPlane(); var metrics = new MetricsLog(dir.resolve(MetricsLog.FILE))) {
      server.up = false;
      var messages = new ArrayList<String>();
      try (var reporter = new ControlPlaneReporter(server.url(), "secret", "run-1", dir, Duration.ofMillis(100),
          messages::add)) {
        reporter.state(RunState.Running, "Started", "attempt 1", 1);
        for (int step = 1; step <= 300; step++) {
          metrics.append(step, Instant.now(), 1, Map.of("loss", 10.0 / step, "lr", 1e-3, "mfu", Double.NaN));
        }
        assertThat(reporter.flush(Duration.ofMillis(500))).isFalse(); // down: spooled, the caller is not held up
        assertThat(server.refused.get()).isPositive();
        server.up = true;
        assertThat(reporter.flush(Duration.ofSeconds(20))).isTrue();
      }
      assertThat(server.points).hasSize(600); // two finite series of 300 steps; NaN is never sent
      assertThat(server.pointsReceived.get()).isEqualTo(600);
      assertThat(server.points.get("loss@7")).isEqualTo(10.0 / 7);
      assertThat(server.states).containsExactly("Running:attempt 1");
      assertThat(messages).anyMatch(m -> m.contains("unreachable")).anyMatch(m -> m.contains("reachable again"));

      // A restarted process continues from the recorded offsets: nothing is sent again.
      metrics.append(301, Instant.now(), 2, Map.of("loss", 0.5));
      try (var reporter = new ControlPlaneReporter(server.url(), "secret", "run-1", dir, Duration.ofMillis(100),
          messages::add)) {
        assertThat(reporter.flush(Duration.ofSeconds(20))).isTrue();
      }
      assertThat(server.pointsReceived.get()).isEqualTo(601);
      assertThat(server.states).hasSize(1);
    }
  }

  @Test
  void aTrainingWhoseControlPlaneGoesDownAndComesBackReportsEverythingOnce() throws Exception {
    try (var server = new FakeControlPlane()) {
      server.up = false;
      var training = TestRuns.pretraining("reported", ModelPreset.TINY, 12);
      training.getSpec().checkpoints.everySteps = 6L;
      var job = TestRuns.job(training, dir, null, new TrainingJob.Reporting(server.url(), "secret", "run-7"));
      // Back once the trainer has met the outage (its first report refused) and trained on for a while.
      var revive = Thread.ofPlatform().start(() -> {
        try {
          while (server.refused.get() == 0) {
            Thread.sleep(50);
          }
          Thread.sleep(1000);
        } catch (InterruptedException ignored) {
          return;
        }
        server.up = true;
      });
      var run = TestRuns.run(job);
      revive.join();
      assertThat(run.log()).contains("unreachable");
      long expected = 0;
      for (var line : TestRuns.metrics(dir)) {
        for (var field : (Iterable<Map.Entry<String, com.fasterxml.jackson.databind.JsonNode>>) line::fields) {
          if (field.getValue().isNumber() && !field.getKey().equals("step") && !field.getKey().equals("attempt")) {
            expected++;
            assertThat(server.points).containsKey(field.getKey() + "@" + line.get("step").asLong());
          }
        }
      }
      assertThat(server.points).hasSize((int) expected);
      assertThat(server.pointsReceived.get()).isEqualTo((int) expected);
      assertThat(server.states).hasSize(2);
      assertThat(server.states.get(0)).startsWith("Running:attempt 1");
      assertThat(server.states.get(1)).startsWith("Succeeded:trained 12 steps");
      assertThat(server.checkpoints).containsOnlyKeys(6L, 12L);
    }
  }
}
