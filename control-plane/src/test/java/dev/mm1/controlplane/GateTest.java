package dev.mm1.controlplane;

import static dev.mm1.controlplane.Api.admin;
import static dev.mm1.controlplane.Api.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mm1.api.v1alpha1.MM1Eval;
import dev.mm1.evaluator.gate.GateCommand;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code ./mm1 gate} against this control plane on a real PostgreSQL and the mock Kubernetes API.
 * The test plays operator and evaluator: it waits for the run the gate created, posts its results
 * and moves it to a final state, as the evaluator Job and the operator would.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class GateTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BENCHMARKS = "name=coco,task=Captioning,uri=pvc:datasets/coco,shots=0/4";

  @TestHTTPResource("/")
  URL base;

  @Inject KubernetesClient kubernetes;

  record GateRun(int exitCode, String out, String err) {
    JsonNode json() throws Exception {
      List<String> lines = out.strip().lines().toList();
      return JSON.readTree(lines.getLast());
    }
  }

  /** Runs the gate on a thread of its own (it blocks until the eval ends), with the token in its environment. */
  private CompletableFuture<GateRun> gate(String token, String... args) {
    return CompletableFuture.supplyAsync(() -> {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      var line = GateCommand.commandLine(new GateCommand(Map.of("MM1_CONTROL_PLANE_TOKEN", token)));
      line.setOut(new PrintWriter(out));
      line.setErr(new PrintWriter(err));
      List<String> all = new ArrayList<>(List.of("--control-plane", base.toString(), "--poll-interval", "100ms"));
      all.addAll(List.of(args));
      int code = line.execute(all.toArray(String[]::new));
      return new GateRun(code, out.toString(), err.toString());
    });
  }

  private static GateRun finish(CompletableFuture<GateRun> run) throws Exception {
    return run.get(60, TimeUnit.SECONDS);
  }

  /** The id of the eval run named {@code name}, once the gate has created it. */
  private static String runOf(String name) {
    return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
      List<Map<String, Object>> runs = admin().queryParam("kind", "Eval").queryParam("q", name).get("/api/v1/runs")
          .then().statusCode(200).extract().jsonPath().getList("$");
      return runs.stream().filter(r -> name.equals(r.get("name"))).map(r -> (String) r.get("id")).findFirst().orElse(null);
    }, id -> id != null);
  }

  /** What the evaluator and operator do: results, then Running and a final state. */
  private static void evaluated(String runId, String finalState, double zeroShot, double fourShot) {
    admin().body(List.of(
            Map.of("benchmark", "coco", "dataset", "coco", "shots", 0, "metric", "cider-d", "value", zeroShot, "samples", 100),
            Map.of("benchmark", "coco", "dataset", "coco", "shots", 4, "metric", "cider-d", "value", fourShot, "samples", 100)))
        .post("/api/v1/runs/" + runId + "/results").then().statusCode(200);
    admin().body(Map.of("state", "Running", "reason", "EvaluatorStarted")).post("/api/v1/runs/" + runId + "/state")
        .then().statusCode(200);
    admin().body(Map.of("state", finalState, "reason", "Completed", "message", "evaluator done"))
        .post("/api/v1/runs/" + runId + "/state").then().statusCode(200);
  }

  /** A finished eval to compare with: created through the API, evaluated, Succeeded. */
  private static String baseline(String name, double zeroShot, double fourShot) {
    String id = admin().body(Map.of("name", name, "namespace", "team-a", "spec", Map.of(
            "checkpoint", Map.of("uri", "file:/checkpoints/step-000000100"),
            "benchmarks", List.of(Map.of("name", "coco", "task", "Captioning", "dataset", "coco",
                "uri", "pvc:datasets/coco", "shots", List.of(0, 4))))))
        .post("/api/v1/evals").then().statusCode(201).extract().path("id");
    evaluated(id, "Succeeded", zeroShot, fourShot);
    return id;
  }

  @Test
  void passesWhenMinimumsAreMetAndNothingRegressedBeyondTheLimit() throws Exception {
    String baselineRun = baseline("gate-base-pass", 70.0, 80.0);
    String ci = token(null, "evals", "read");
    var gate = gate(ci, "--checkpoint", "file:/checkpoints/step-000000200", "--benchmarks", BENCHMARKS,
        "--namespace", "team-a", "--name", "gate-pass", "--baseline", "gate-base-pass", "--max-regression", "2",
        "--min", "coco@0=60");
    evaluated(runOf("gate-pass"), "Succeeded", 71.5, 78.5);
    GateRun run = finish(gate);

    assertThat(run.exitCode()).as(run.err()).isEqualTo(0);
    assertThat(run.out()).contains("benchmark", "baseline", "candidate", "delta", "gate passed");
    assertThat(run.out()).containsPattern("coco\\s+4\\s+cider-d\\s+80.00\\s+78.50\\s+-1.50\\s+-\\s+pass");
    JsonNode json = run.json();
    assertThat(json.get("passed").asBoolean()).isTrue();
    assertThat(json.get("rows")).hasSize(2);
    assertThat(run.err()).contains("created MM1Eval team-a/gate-pass", "Succeeded, 2 results");
    // The MM1Eval carries the same gate, so the operator's verdict in its status agrees.
    MM1Eval created = kubernetes.resources(MM1Eval.class).inNamespace("team-a").withName("gate-pass").get();
    assertThat(created.getSpec().gate.baselineRunId).isEqualTo(baselineRun);
    assertThat(created.getSpec().gate.maxRegression).isEqualTo(2.0);
    assertThat(created.getSpec().gate.thresholds).singleElement().satisfies(t -> assertThat(t.min).isEqualTo(60.0));
    assertThat(created.getSpec().checkpoint.uri).isEqualTo("file:/checkpoints/step-000000200");
  }

  @Test
  void failsWithExitOneOnARegressionOrAMissedMinimum() throws Exception {
    baseline("gate-base-fail", 70.0, 80.0);
    var gate = gate(token(null, "evals", "read"), "--checkpoint", "file:/checkpoints/step-000000300",
        "--benchmarks", BENCHMARKS, "--namespace", "team-a", "--name", "gate-fail", "--baseline", "team-a/gate-base-fail",
        "--max-regression", "2", "--min", "coco@0=75");
    evaluated(runOf("gate-fail"), "Succeeded", 71.0, 77.0);
    GateRun run = finish(gate);

    assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
    assertThat(run.out()).contains(
        "FAIL coco 0-shot: cider-d 71.00 is below the minimum 75.00",
        "FAIL coco 4-shot: cider-d 77.00 is 3.00 below the baseline 80.00 (allowed: 2.00)",
        "gate failed");
    JsonNode json = run.json();
    assertThat(json.get("passed").asBoolean()).isFalse();
    assertThat(json.get("failures")).hasSize(2);
  }

  @Test
  void anEvalThatFailsIsAnErrorNotAVerdict() throws Exception {
    String training = Api.training("gate-training", null);
    var gate = gate(token(null, "evals", "read"), "--checkpoint", "gate-training@latest", "--benchmarks", BENCHMARKS,
        "--namespace", "team-a", "--name", "gate-broken");
    String runId = runOf("gate-broken");
    admin().body(Map.of("state", "Failed", "reason", "EvaluatorFailed", "message", "pod exited with code 2"))
        .post("/api/v1/runs/" + runId + "/state").then().statusCode(200);
    GateRun run = finish(gate);

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("ended Failed (EvaluatorFailed: pod exited with code 2)");
    assertThat(run.json().get("error").asText()).contains("cannot judge");
    MM1Eval created = kubernetes.resources(MM1Eval.class).inNamespace("team-a").withName("gate-broken").get();
    assertThat(created.getSpec().checkpoint.fromTraining).isEqualTo("gate-training");
    assertThat(admin().get("/api/v1/runs/" + runId).then().extract().<String>path("parentRunId")).isEqualTo(training);
  }

  @Test
  void anEvalThatNeverEndsTimesOut() throws Exception {
    GateRun run = finish(gate(token(null, "evals", "read"), "--checkpoint", "file:/checkpoints/step-000000400",
        "--benchmarks", BENCHMARKS, "--namespace", "team-a", "--name", "gate-slow", "--wait", "1s"));
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("timed out after 1s waiting for eval team-a/gate-slow", "still Pending");
  }

  @Test
  void anUnreachableControlPlaneIsAnError() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var line = GateCommand.commandLine(new GateCommand(Map.of()));
    line.setOut(new PrintWriter(out));
    line.setErr(new PrintWriter(err));
    int code = line.execute("--control-plane", "http://127.0.0.1:" + closedPort, "--token", "t",
        "--checkpoint", "file:/c", "--benchmarks", BENCHMARKS);
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("cannot reach the control plane at http://127.0.0.1:" + closedPort);
  }

  @Test
  void refusalsAndBadArgumentsAreErrorsNamingTheCause() throws Exception {
    // A token without the evals scope: the control plane's problem detail is shown.
    GateRun forbidden = finish(gate(token(null, "read"), "--checkpoint", "file:/c", "--benchmarks", BENCHMARKS));
    assertThat(forbidden.exitCode()).isEqualTo(2);
    assertThat(forbidden.err()).contains("HTTP 403", "scope 'evals'");
    // A baseline the control plane does not know.
    GateRun unknownBaseline = finish(gate(token(null, "evals", "read"), "--checkpoint", "file:/c",
        "--benchmarks", BENCHMARKS, "--baseline", "no-such-eval", "--max-regression", "1"));
    assertThat(unknownBaseline.exitCode()).isEqualTo(2);
    assertThat(unknownBaseline.err()).contains("knows no eval named 'no-such-eval'");
    // A training the control plane does not know.
    GateRun unknownTraining = finish(gate(token(null, "evals", "read"), "--checkpoint", "no-such-training@20",
        "--benchmarks", BENCHMARKS, "--namespace", "team-a"));
    assertThat(unknownTraining.exitCode()).isEqualTo(2);
    assertThat(unknownTraining.err()).contains("HTTP 400", "no training named 'no-such-training'");
    // Arguments checked before anything is sent.
    GateRun badMinimum = finish(gate("t", "--checkpoint", "file:/c", "--benchmarks", BENCHMARKS, "--min", "vqa@0=50"));
    assertThat(badMinimum.exitCode()).isEqualTo(2);
    assertThat(badMinimum.err()).contains("--min vqa@0=50: 'vqa' is not one of the --benchmarks [coco]");
    GateRun badTask = finish(gate("t", "--checkpoint", "file:/c", "--benchmarks", "name=x,task=Retrieval,uri=pvc:x"));
    assertThat(badTask.exitCode()).isEqualTo(2);
    assertThat(badTask.err()).contains("unknown task 'Retrieval'; allowed: [Captioning, VQA]");
  }
}
