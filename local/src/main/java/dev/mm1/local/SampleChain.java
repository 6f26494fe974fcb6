package dev.mm1.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.mm1.api.v1alpha1.EvalPhase;
import dev.mm1.api.v1alpha1.MM1Eval;
import dev.mm1.api.v1alpha1.MM1Training;
import dev.mm1.api.v1alpha1.TrainingPhase;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The sample chain of {@code ./mm1 up}: the samples applied one after the other through the API
 * (as {@code kubectl apply} would), each once the one before it succeeded, so the SFT starts from
 * the finished pre-training and the eval gates the finished SFT. A sample that exists already is
 * not applied again but followed to its end (or taken as it ended): running {@code ./mm1 up} again
 * reuses what is done. The operator does the rest.
 */
final class SampleChain {
  /** The chain: a 2-node pre-training, its SFT, and the gated eval of the SFT. */
  static final List<String> SAMPLES = List.of("tiny-pretrain", "tiny-sft", "tiny-eval");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final KubernetesClient client;
  private final Path samples;
  private final List<String> overrides;
  private final ProgressBoard board;
  private final boolean stopOnMissingBaseline;
  private final java.util.Map<String, Instant> succeededSeen = new java.util.HashMap<>();
  /** How long a succeeded training may take to show its final step before the chain goes on anyway. */
  static final Duration SETTLE = Duration.ofMinutes(2);
  /** How often the chain looks at the run it follows. */
  static final Duration POLL = Duration.ofMillis(500);

  /**
   * What became of one sample.
   *
   * @param name the resource's name
   * @param kind MM1Training or MM1Eval
   * @param phase its phase at the end
   * @param succeeded whether it ended well (an eval: its gate passed)
   * @param reused whether it existed before this run
   * @param started when this run started following it
   * @param finished when it ended
   * @param message why it did not succeed, or null
   */
  record Outcome(String name, String kind, String phase, boolean succeeded, boolean reused, Instant started, Instant finished, String message) {
    Duration duration() {
      return Duration.between(started, finished);
    }
  }

  SampleChain(KubernetesClient client, Path samples, List<String> overrides, ProgressBoard board, boolean stopOnMissingBaseline) {
    this.client = client;
    this.samples = samples;
    this.overrides = overrides;
    this.board = board;
    this.stopOnMissingBaseline = stopOnMissingBaseline;
  }

  /** The chain's samples, each eval's gate baseline first when a sample of that name exists. */
  List<String> names() throws IOException {
    var names = new ArrayList<String>();
    for (var name : SAMPLES) {
      var sample = read(name);
      var baseline = sample.path("spec").path("gate").path("baselineEval").asText("");
      if (!baseline.isEmpty() && !names.contains(baseline) && Files.exists(samples.resolve(baseline + ".yaml"))) {
        names.add(baseline);
      }
      names.add(name);
    }
    return names;
  }

  /** Refuses a {@code --set} that names no sample of the chain or is not SAMPLE:FIELD=VALUE, before anything starts. */
  void checkOverrides() throws IOException {
    var names = names();
    for (var override : overrides) {
      var sample = sampleOf(override);
      if (!names.contains(sample)) {
        throw new IllegalArgumentException("--set " + override + ": no sample '" + sample
            + "' in the chain; the samples are " + String.join(", ", names));
      }
    }
  }

  /** The SAMPLE of a {@code --set SAMPLE:FIELD=VALUE}, refusing any other form. */
  private static String sampleOf(String override) {
    var colon = override.indexOf(':');
    var eq = override.indexOf('=');
    if (colon < 1 || eq < colon + 2) {
      throw new IllegalArgumentException("--set " + override + ": expected SAMPLE:FIELD=VALUE, e.g. tiny-pretrain:optimization.steps=40");
    }
    return override.substring(0, colon);
  }

  /** Runs the chain until its end or the first sample that does not succeed. */
  List<Outcome> run(Duration timeout) throws IOException, InterruptedException {
    var outcomes = new ArrayList<Outcome>();
    var deadline = Instant.now().plus(timeout);
    for (var name : names()) {
      var outcome = runOne(name, deadline);
      outcomes.add(outcome);
      if (!outcome.succeeded()) {
        board.notice("mm1 up: " + outcome.kind() + " " + name + " ended " + outcome.phase()
            + (outcome.message() == null ? "" : ": " + outcome.message()) + "; the chain stops here");
        break;
      }
    }
    board.finish();
    return outcomes;
  }

  private Outcome runOne(String name, Instant deadline) throws IOException, InterruptedException {
    var resource = (ObjectNode) read(name);
    for (var override : overrides) {
      apply(resource, name, override);
    }
    var kind = resource.path("kind").asText();
    var generic = client.getKubernetesSerialization().convertValue(resource, GenericKubernetesResource.class);
    generic.getMetadata().setNamespace(LocalPlatform.NAMESPACE);
    var started = Instant.now();
    var existing = client.genericKubernetesResources(generic.getApiVersion(), kind).inNamespace(LocalPlatform.NAMESPACE).withName(name).get();
    boolean reused = existing != null;
    if (reused) {
      board.notice("mm1 up: " + kind + " " + name + " exists already (from an earlier run): following it, not applying it again");
    } else {
      try {
        client.genericKubernetesResources(generic.getApiVersion(), kind).inNamespace(LocalPlatform.NAMESPACE).resource(generic).create();
      } catch (KubernetesClientException e) {
        return new Outcome(name, kind, "Refused", false, false, started, Instant.now(),
            e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage());
      }
    }
    while (true) {
      var outcome = kind.equals("MM1Training") ? trainingOutcome(name, reused, started) : evalOutcome(name, reused, started);
      if (outcome != null) {
        return outcome;
      }
      if (Instant.now().isAfter(deadline)) {
        return new Outcome(name, kind, "TimedOut", false, reused, started, Instant.now(), "did not finish before the timeout");
      }
      Thread.sleep(POLL.toMillis());
    }
  }

  private Outcome trainingOutcome(String name, boolean reused, Instant started) {
    var training = client.resources(MM1Training.class).inNamespace(LocalPlatform.NAMESPACE).withName(name).get();
    if (training == null) {
      return new Outcome(name, "MM1Training", "Deleted", false, reused, started, Instant.now(), "the training was deleted");
    }
    var status = training.getStatus();
    var phase = status == null || status.phase == null ? "Pending" : status.phase.name();
    long steps = training.getSpec().optimization == null || training.getSpec().optimization.steps == null ? 0 : training.getSpec().optimization.steps;
    long step = status == null || status.step == null ? 0 : status.step;
    var line = String.format(Locale.ROOT, "%-16s %-10s %s %5d/%-5d loss %-7s ckpt %-5s attempt %s restarts %s", name, phase,
        ProgressBoard.bar(step, steps, 30), step, steps, status == null || status.loss == null ? "-" : String.format(Locale.ROOT, "%.4f", status.loss),
        status == null || status.latestCheckpoint == null || status.latestCheckpoint.step == null ? "-" : status.latestCheckpoint.step,
        status == null || status.attempt == null ? "-" : status.attempt, status == null || status.restarts == null ? "0" : status.restarts);
    board.update(name, line, phase + "/" + (steps == 0 ? 0 : step * 10 / steps));
    if (status != null && status.phase == TrainingPhase.Succeeded) {
      // The next sample starts from this one's latest checkpoint: wait (a little) until the operator
      // shows the trainer's last report, the final step and checkpoint, which may arrive after the Job ended.
      // (The trainer always commits a checkpoint at its last step.)
      succeededSeen.putIfAbsent(name, Instant.now());
      long checkpoint = status.latestCheckpoint == null || status.latestCheckpoint.step == null ? 0 : status.latestCheckpoint.step;
      if (checkpoint < steps && Instant.now().isBefore(succeededSeen.get(name).plus(SETTLE))) {
        return null;
      }
      return new Outcome(name, "MM1Training", phase, true, reused, started, succeededSeen.get(name), null);
    }
    if (status != null && status.phase == TrainingPhase.Failed) {
      return new Outcome(name, "MM1Training", phase, false, reused, started, Instant.now(), why(status.conditions));
    }
    return null;
  }

  private Outcome evalOutcome(String name, boolean reused, Instant started) {
    var eval = client.resources(MM1Eval.class).inNamespace(LocalPlatform.NAMESPACE).withName(name).get();
    if (eval == null) {
      return new Outcome(name, "MM1Eval", "Deleted", false, reused, started, Instant.now(), "the eval was deleted");
    }
    var status = eval.getStatus();
    var phase = status == null || status.phase == null ? "Pending" : status.phase.name();
    var checkpoint = status == null || status.checkpoint == null || status.checkpoint.step == null ? "-" : status.checkpoint.step.toString();
    var results = status == null || status.results == null ? 0 : status.results.size();
    var message = ready(status == null ? null : status.conditions);
    board.update(name, String.format(Locale.ROOT, "%-16s %-10s checkpoint step %-6s results %-3d %s", name, phase, checkpoint, results,
        message == null ? "" : message), phase + "/" + results);
    if (status != null && status.phase == EvalPhase.Succeeded) {
      return new Outcome(name, "MM1Eval", phase, true, reused, started, Instant.now(), null);
    }
    if (status != null && (status.phase == EvalPhase.GateFailed || status.phase == EvalPhase.Failed)) {
      return new Outcome(name, "MM1Eval", phase, false, reused, started, Instant.now(), why(status.conditions));
    }
    var baseline = eval.getSpec().gate == null ? null : eval.getSpec().gate.baselineEval;
    if (stopOnMissingBaseline && baseline != null && status != null && message != null && message.contains(baseline)
        && client.resources(MM1Eval.class).inNamespace(LocalPlatform.NAMESPACE).withName(baseline).get() == null) {
      return new Outcome(name, "MM1Eval", phase, false, reused, started, Instant.now(),
          "its gate compares with MM1Eval " + baseline + ", which does not exist and no sample defines (manifests/samples/" + baseline + ".yaml)");
    }
    return null;
  }

  private static String ready(List<io.fabric8.kubernetes.api.model.Condition> conditions) {
    if (conditions == null) {
      return null;
    }
    return conditions.stream().filter(c -> "Ready".equals(c.getType()) && "False".equals(c.getStatus())).map(c -> c.getMessage())
        .findFirst().orElse(null);
  }

  private static String why(List<io.fabric8.kubernetes.api.model.Condition> conditions) {
    if (conditions == null) {
      return null;
    }
    return conditions.stream().filter(c -> List.of("Failed", "Ready").contains(c.getType()) && !"Unknown".equals(c.getStatus())
            && c.getMessage() != null && !c.getMessage().isEmpty())
        .sorted(java.util.Comparator.comparing(c -> c.getType().equals("Failed") ? 0 : 1))
        .map(c -> c.getReason() + ": " + c.getMessage()).findFirst().orElse(null);
  }

  private JsonNode read(String name) throws IOException {
    var file = samples.resolve(name + ".yaml");
    if (!Files.exists(file)) {
      throw new IOException("sample " + file + " does not exist");
    }
    return YAML.readTree(file.toFile());
  }

  /**
   * {@code --set NAME:FIELD=VALUE}: sets a spec field of sample NAME (FIELD relative to spec, dotted,
   * e.g. tiny-pretrain:optimization.steps=40); VALUE is read as a number or boolean when it is one.
   */
  static void apply(ObjectNode resource, String name, String override) {
    if (!sampleOf(override).equals(name)) {
      return;
    }
    var colon = override.indexOf(':');
    var eq = override.indexOf('=');
    var path = override.substring(colon + 1, eq).split("\\.");
    var value = override.substring(eq + 1);
    var node = (ObjectNode) resource.with("spec");
    for (int i = 0; i < path.length - 1; i++) {
      node = node.with(path[i]);
    }
    var last = path[path.length - 1];
    if (value.matches("-?\\d+")) {
      node.put(last, Long.parseLong(value));
    } else if (value.matches("-?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?")) {
      node.put(last, Double.parseDouble(value));
    } else if (value.equals("true") || value.equals("false")) {
      node.put(last, Boolean.parseBoolean(value));
    } else {
      node.put(last, value);
    }
  }
}
