package dev.mm1.controlplane;

import static dev.mm1.controlplane.Api.admin;
import static dev.mm1.controlplane.Api.metrics;
import static dev.mm1.controlplane.Api.training;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.path.json.JsonPath;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Attempts on state changes and the goodput endpoint over a run with a gang restart. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class GoodputApiTest {

  private static void state(String run, String state, String reason, String message, Integer attempt) {
    Map<String, Object> body = new java.util.HashMap<>(Map.of("state", state, "reason", reason, "message", message));
    if (attempt != null) {
      body.put("attempt", attempt);
    }
    admin().body(body).post("/api/v1/runs/" + run + "/state").then().statusCode(200);
  }

  @Test
  void attemptsAreRecordedAndCheckedAndARepeatedStateWithANewAttemptIsAudited() {
    String run = training("attempt-run", null);
    state(run, "Running", "Running", "all 1 workers ready (attempt 1)", 1);
    state(run, "Running", "Running", "same attempt again", 1); // repeats nothing
    state(run, "Running", "Running", "trainer restarted in place", 2);
    List<Integer> attempts = admin().get("/api/v1/runs/" + run + "/transitions").then().statusCode(200)
        .extract().path("attempt");
    assertThat(attempts).containsExactly(null, 1, 2);
    admin().body(Map.of("state", "Running", "attempt", 0)).post("/api/v1/runs/" + run + "/state").then()
        .statusCode(400).body("detail", containsString("attempt: 0 is outside 1..1000000"));
  }

  @Test
  void goodputOfARunWithOneRestartAddsUpToItsWallTime() {
    String run = training("goodput-run", null);
    state(run, "Running", "Running", "all 1 workers ready (attempt 1)", null);
    Instant firstStart = Instant.now();
    metrics(run, List.of(
        Map.of("name", "step_time_s", "step", 1, "value", 0.001, "time", firstStart.toString()),
        Map.of("name", "mfu", "step", 1, "value", 0.4, "time", firstStart.toString())));
    state(run, "Restarting", "GangRestarted", "attempt 1 failed (worker 0 exited with code 137); restart 1 of 3", null);
    state(run, "Pending", "WorkersStarting", "0 of 1 workers ready (attempt 2)", null);
    state(run, "Running", "Running", "all 1 workers ready (attempt 2)", null);
    Instant secondStart = Instant.now().plusMillis(1);
    metrics(run, List.of(
        Map.of("name", "step_time_s", "step", 1, "value", 0.001, "time", secondStart.toString()),
        Map.of("name", "goodput/recomputed_steps", "step", 1, "value", 1, "time", secondStart.toString()),
        Map.of("name", "mfu", "step", 1, "value", 0.5, "time", secondStart.toString())));
    state(run, "Succeeded", "Completed", "all 1 workers completed (attempt 2)", null);

    JsonPath g = admin().get("/api/v1/runs/" + run + "/goodput").then().statusCode(200)
        .body("live", equalTo(false)).extract().jsonPath();
    double wall = g.getDouble("wallSeconds");
    List<Float> segments = g.getList("segments.seconds", Float.class);
    assertThat(segments.stream().mapToDouble(Float::doubleValue).sum()).isCloseTo(wall, within(1e-3));
    assertThat(g.getList("segments.cause", String.class)).containsExactly("queued", "restarting", "suspended",
        "productive", "startup", "data", "checkpoint", "lost", "restartGap", "other");
    assertThat(g.getList("attempts.attempt", Integer.class)).containsExactly(1, 2);
    assertThat(g.getString("attempts[0].endedBy.reason")).isEqualTo("GangRestarted");
    assertThat(g.getString("attempts[0].endedBy.message")).contains("exited with code 137");
    assertThat(g.getString("attempts[1].endedBy.to")).isEqualTo("Succeeded");
    // Step 1 ran again in attempt 2: its points replaced attempt 1's, so the MFU is attempt 2's alone.
    assertThat(g.getDouble("program")).isCloseTo(0.5, within(1e-9));
    assertThat(g.getList("attempts.firstStep")).containsExactly(null, 1);
    admin().get("/api/v1/runs/999999999/goodput").then().statusCode(404)
        .body("detail", containsString("no run with id '999999999'"));
  }

  /** One batch holding points of two attempts (one chunk per series): split at the restart by their times. */
  @Test
  void aChunkThatStraddlesARestartIsSplitByTime() {
    String run = training("goodput-straddle-run", null);
    state(run, "Running", "Running", "all 1 workers ready (attempt 1)", null);
    state(run, "Restarting", "GangRestarted", "attempt 1 failed (node lost)", null);
    state(run, "Running", "Running", "all 1 workers ready (attempt 2)", null);
    List<String> at = admin().get("/api/v1/runs/" + run + "/transitions").then().extract().path("at");
    Instant first = Instant.parse(at.get(1)).plusNanos(1_000);
    Instant second = Instant.parse(at.get(3)).plusNanos(1_000);
    List<Map<String, Object>> batch = new java.util.ArrayList<>();
    for (int step = 1; step <= 6; step++) {
      Instant time = step <= 3 ? first : second;
      batch.add(Map.of("name", "mfu", "step", step, "value", step <= 3 ? 0.4 : 0.6, "time", time.toString()));
      batch.add(Map.of("name", "step_time_s", "step", step, "value", 1e-6, "time", time.toString()));
    }
    metrics(run, batch);
    JsonPath g = admin().get("/api/v1/runs/" + run + "/goodput").then().statusCode(200).extract().jsonPath();
    assertThat(g.getList("attempts.firstStep", Integer.class)).containsExactly(1, 4);
    assertThat(g.getList("attempts.lastStep", Integer.class)).containsExactly(3, 6);
    assertThat(g.getList("attempts.mfu", Double.class)).containsExactly(0.4, 0.6);
    assertThat(g.getDouble("program")).isCloseTo(0.5, within(1e-9));
  }
}
