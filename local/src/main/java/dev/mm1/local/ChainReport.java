package dev.mm1.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mm1.api.v1alpha1.MM1Eval;
import dev.mm1.api.v1alpha1.MM1Training;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * What {@code ./mm1 up --once} prints at the end: a table of the runs, the eval's results and
 * gate, and one JSON object with the verdict and where the wall time went. The platform's overhead
 * is the wall time minus the time the trainer and evaluator processes report as working: for a
 * training, its start-up (process start to first step, {@code goodput/startup_s}) plus every
 * step's {@code step_time_s}, as recorded by the control plane; for an eval, its container's run
 * time (start to exit).
 */
final class ChainReport {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final KubernetesClient client;
  private final URI controlPlane;
  private final String token;
  private final HttpClient http = HttpClient.newHttpClient();

  ChainReport(KubernetesClient client, URI controlPlane, String token) {
    this.client = client;
    this.controlPlane = controlPlane;
    this.token = token;
  }

  /**
   * Prints the tables to {@code out} and returns the JSON summary.
   *
   * @param started when ./mm1 up started
   * @param ready when the platform was up (API, control plane, operator)
   * @param dataSeconds seconds spent writing the data (0 when it was there; it overlaps the start-up)
   */
  ObjectNode report(List<SampleChain.Outcome> outcomes, Instant started, Instant ready, double dataSeconds, PrintStream out)
      throws IOException, InterruptedException {
    var summary = JSON.createObjectNode();
    var end = Instant.now();
    double wall = seconds(Duration.between(started, end));
    boolean gatePassed = !outcomes.isEmpty() && outcomes.stream().allMatch(SampleChain.Outcome::succeeded)
        && outcomes.size() == expected(outcomes);
    summary.put("command", "up").put("gatePassed", gatePassed).put("exitCode", gatePassed ? 0 : 1);
    summary.put("wallSeconds", round(wall));
    var split = summary.putObject("split");
    split.put("startupSeconds", round(seconds(Duration.between(started, ready))));
    split.put("dataSeconds", round(dataSeconds));
    double working = 0;
    var runs = summary.putArray("runs");
    out.println();
    out.printf(Locale.ROOT, "%-20s %-11s %-10s %-11s %-9s %-10s %-8s %-9s %s%n", "RUN", "KIND", "PHASE", "STEPS", "LOSS", "CHECKPOINT",
        "RESTARTS", "WALL", "WORKING");
    for (var outcome : outcomes) {
      var run = runs.addObject().put("name", outcome.name()).put("kind", outcome.kind()).put("phase", outcome.phase())
          .put("reused", outcome.reused()).put("seconds", round(seconds(outcome.duration())));
      if (outcome.message() != null) {
        run.put("message", outcome.message());
      }
      split.put(splitName(outcome.name()) + "Seconds", round(seconds(outcome.duration())));
      double runWorking = 0;
      String steps = "-";
      String loss = "-";
      String checkpoint = "-";
      String restarts = "-";
      if (outcome.kind().equals("MM1Training")) {
        var training = client.resources(MM1Training.class).inNamespace(LocalPlatform.NAMESPACE).withName(outcome.name()).get();
        if (training != null && training.getStatus() != null) {
          var status = training.getStatus();
          steps = (status.step == null ? 0 : status.step) + "/" + training.getSpec().optimization.steps;
          loss = status.loss == null ? "-" : String.format(Locale.ROOT, "%.4f", status.loss);
          checkpoint = status.latestCheckpoint == null || status.latestCheckpoint.step == null ? "-" : status.latestCheckpoint.step.toString();
          restarts = Integer.toString(status.restarts == null ? 0 : status.restarts);
          if (status.runId != null) {
            runWorking = sum(status.runId, "step_time_s") + sum(status.runId, "goodput/startup_s");
          }
          run.put("steps", status.step == null ? 0 : status.step).put("restarts", status.restarts == null ? 0 : status.restarts);
          if (status.loss != null) {
            run.put("loss", status.loss);
          }
        }
      } else {
        runWorking = containerSeconds(outcome.name());
      }
      if (!outcome.reused()) {
        working += runWorking;
      }
      run.put("workingSeconds", round(runWorking));
      out.printf(Locale.ROOT, "%-20s %-11s %-10s %-11s %-9s %-10s %-8s %-9s %s%n", outcome.name(), outcome.kind(), outcome.phase(), steps, loss,
          checkpoint, restarts, humanize(outcome.duration()), humanize(Duration.ofMillis((long) (runWorking * 1000))));
    }
    var results = summary.putArray("results");
    var eval = outcomes.stream().filter(o -> o.kind().equals("MM1Eval")).reduce((a, b) -> b);
    if (eval.isPresent()) {
      var resource = client.resources(MM1Eval.class).inNamespace(LocalPlatform.NAMESPACE).withName(eval.get().name()).get();
      if (resource != null && resource.getStatus() != null && resource.getStatus().results != null && !resource.getStatus().results.isEmpty()) {
        out.println();
        out.printf(Locale.ROOT, "%-24s %-6s %-16s %s%n", "BENCHMARK", "SHOTS", "METRIC", "VALUE");
        for (var result : resource.getStatus().results) {
          out.printf(Locale.ROOT, "%-24s %-6s %-16s %.2f%n", result.benchmark, result.shots, result.metric, result.value);
          results.addObject().put("benchmark", result.benchmark).put("shots", result.shots).put("metric", result.metric).put("value", result.value);
        }
      }
      if (resource != null && resource.getStatus() != null && resource.getStatus().gate != null) {
        var gate = resource.getStatus().gate;
        out.println();
        out.println("gate: " + (Boolean.TRUE.equals(gate.passed) ? "passed" : "failed")
            + (gate.failures == null || gate.failures.isEmpty() ? "" : " (" + String.join("; ", gate.failures) + ")"));
        summary.putObject("gate").put("passed", Boolean.TRUE.equals(gate.passed)).set("failures", JSON.valueToTree(gate.failures));
      }
    }
    boolean reused = outcomes.stream().anyMatch(SampleChain.Outcome::reused);
    summary.put("workingSeconds", round(working));
    summary.put("overheadSeconds", round(wall - working));
    summary.put("overheadFraction", wall <= 0 ? 0 : round((wall - working) / wall));
    if (reused) {
      summary.put("note", "some runs were reused from an earlier ./mm1 up; the wall time does not measure them");
    }
    out.println();
    out.println(gatePassed ? "mm1 up: the chain finished and the gate passed" : "mm1 up: the chain did not pass (see above)");
    return summary;
  }

  /** Every sample of the chain (and a baseline, if one was run) must have run for a pass. */
  private static int expected(List<SampleChain.Outcome> outcomes) {
    return (int) Math.max(SampleChain.SAMPLES.size(), outcomes.size());
  }

  private static String splitName(String name) {
    return switch (name) {
      case "tiny-pretrain" -> "pretrain";
      case "tiny-sft" -> "sft";
      case "tiny-eval" -> "eval";
      case "tiny-eval-baseline" -> "baselineEval";
      default -> name.replaceAll("[^A-Za-z0-9]", "");
    };
  }

  /** The sum of a metric's values over all its steps, from the control plane. */
  private double sum(String runId, String metric) throws IOException, InterruptedException {
    var request = HttpRequest.newBuilder(controlPlane.resolve("/api/v1/runs/" + runId + "/metrics?maxPoints=100000&name="
        + URLEncoder.encode(metric, StandardCharsets.UTF_8))).header("Authorization", "Bearer " + token).GET().build();
    var response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      return 0;
    }
    double total = 0;
    for (JsonNode series : JSON.readTree(response.body())) {
      for (var value : series.path("values")) {
        total += value.asDouble();
      }
    }
    return total;
  }

  /** The run time of the eval's evaluator container, from its pod's terminated state. */
  private double containerSeconds(String eval) {
    double total = 0;
    for (Pod pod : client.pods().inNamespace(LocalPlatform.NAMESPACE).withLabel("mm1.dev/parent-name", eval).list().getItems()) {
      if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
        continue;
      }
      for (var status : pod.getStatus().getContainerStatuses()) {
        var terminated = status.getState() == null ? null : status.getState().getTerminated();
        if (terminated != null && terminated.getStartedAt() != null && terminated.getFinishedAt() != null) {
          total += seconds(Duration.between(Instant.parse(terminated.getStartedAt()), Instant.parse(terminated.getFinishedAt())));
        }
      }
    }
    return total;
  }

  private static double seconds(Duration duration) {
    return duration.toMillis() / 1000.0;
  }

  private static double round(double value) {
    return Math.round(value * 1000) / 1000.0;
  }

  static String humanize(Duration duration) {
    long s = duration.toSeconds();
    return s >= 3600 ? String.format("%dh%02dm", s / 3600, (s % 3600) / 60) : s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
  }
}
