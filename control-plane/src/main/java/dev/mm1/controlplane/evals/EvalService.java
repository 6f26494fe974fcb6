package dev.mm1.controlplane.evals;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mm1.api.rest.CheckpointRecord;
import dev.mm1.api.rest.CreateEvalRequest;
import dev.mm1.api.rest.CreateRunRequest;
import dev.mm1.api.rest.EvalResultRecord;
import dev.mm1.api.rest.RunEvent;
import dev.mm1.api.rest.RunKind;
import dev.mm1.api.v1alpha1.BenchmarkSpec;
import dev.mm1.api.v1alpha1.MM1Eval;
import dev.mm1.api.v1alpha1.MM1EvalSpec;
import dev.mm1.controlplane.events.RunEvents;
import dev.mm1.controlplane.problem.ApiException;
import dev.mm1.controlplane.runs.RunRepository;
import dev.mm1.controlplane.runs.RunService;
import dev.mm1.controlplane.runs.RunView;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Checkpoints, eval results, and the creation of MM1Eval custom resources for CI. */
@ApplicationScoped
public class EvalService {
  private static final Pattern SHA256 = Pattern.compile("^[0-9a-f]{64}$");
  private static final Pattern URI = Pattern.compile("^(file|s3|gs|https?|pvc):.+");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final CheckpointRepository checkpoints;
  private final EvalResultRepository results;
  private final RunService runs;
  private final RunRepository runRepository;
  private final RunEvents events;
  private final KubernetesClient kubernetes;
  private final ObjectMapper json;
  private final String defaultNamespace;

  EvalService(CheckpointRepository checkpoints, EvalResultRepository results, RunService runs,
      RunRepository runRepository, RunEvents events, KubernetesClient kubernetes, ObjectMapper json,
      @ConfigProperty(name = "mm1.evals.default-namespace") String defaultNamespace) {
    this.checkpoints = checkpoints;
    this.results = results;
    this.runs = runs;
    this.runRepository = runRepository;
    this.events = events;
    this.kubernetes = kubernetes;
    this.json = json;
    this.defaultNamespace = defaultNamespace;
  }

  public CheckpointRepository.Registered registerCheckpoint(RunView run, CheckpointRecord checkpoint) throws SQLException {
    if (checkpoint == null) {
      throw ApiException.badRequest("the request body is required: {step, uri, sha256, bytes, committedAt?}");
    }
    if (run.run().kind() != RunKind.Training) {
      throw ApiException.conflict("run " + run.run().id() + " is an Eval run; checkpoints belong to Training runs");
    }
    if (checkpoint.step() < 0) {
      throw ApiException.badRequest("step: " + checkpoint.step() + " is negative");
    }
    if (checkpoint.uri() == null || !URI.matcher(checkpoint.uri()).matches() || checkpoint.uri().length() > 2048) {
      throw ApiException.badRequest("uri: '" + checkpoint.uri() + "' is not a checkpoint URI (file:, s3:, gs:, http(s): or pvc:)");
    }
    if (checkpoint.sha256() == null || !SHA256.matcher(checkpoint.sha256()).matches()) {
      throw ApiException.badRequest("sha256: '" + checkpoint.sha256() + "' is not 64 lower-case hex digits");
    }
    if (checkpoint.bytes() < 0) {
      throw ApiException.badRequest("bytes: " + checkpoint.bytes() + " is negative");
    }
    CheckpointRepository.Registered registered = checkpoints.register(run.id(), checkpoint);
    if (registered.created()) {
      events.publish(new RunEvent(run.run().id(), "checkpoint", checkpoint.step(), null));
    }
    return registered;
  }

  public List<CheckpointView> checkpoints(long runId) throws SQLException {
    return checkpoints.list(runId);
  }

  public List<EvalResultRecord> recordResults(RunView run, List<EvalResultRecord> records) throws SQLException {
    if (records == null || records.isEmpty()) {
      throw ApiException.badRequest("the request body must be a non-empty list of results");
    }
    if (records.size() > 10_000) {
      throw ApiException.tooLarge("the request has " + records.size() + " results; the limit is 10000");
    }
    if (run.run().kind() != RunKind.Eval) {
      throw ApiException.conflict("run " + run.run().id() + " is a Training run; results belong to Eval runs");
    }
    for (int i = 0; i < records.size(); i++) {
      EvalResultRecord r = records.get(i);
      String at = "[" + i + "]";
      if (r == null) {
        throw ApiException.badRequest(at + " is null");
      }
      if (r.benchmark() == null || r.benchmark().isBlank() || r.benchmark().length() > 200) {
        throw ApiException.badRequest(at + ".benchmark must be 1 to 200 characters");
      }
      if (r.metric() == null || r.metric().isBlank() || r.metric().length() > 100) {
        throw ApiException.badRequest(at + ".metric must be 1 to 100 characters, e.g. cider-d or vqa-accuracy");
      }
      if (r.shots() < 0) {
        throw ApiException.badRequest(at + ".shots: " + r.shots() + " is negative");
      }
      if (!Double.isFinite(r.value())) {
        throw ApiException.badRequest(at + ".value: " + r.value() + " is not a finite number");
      }
      if (r.samples() < 0) {
        throw ApiException.badRequest(at + ".samples: " + r.samples() + " is negative");
      }
    }
    Long trainingRunId = run.run().parentRunId() == null ? null : Long.parseLong(run.run().parentRunId());
    Long defaultStep = evaluatedStep(run, trainingRunId);
    List<EvalResultRecord> stored = records.stream()
        .map(r -> r.checkpointStep() != null ? r : new EvalResultRecord(r.benchmark(), r.dataset(), r.shots(),
            r.metric(), r.value(), r.samples(), defaultStep))
        .toList();
    results.record(run.id(), trainingRunId, stored);
    events.publish(new RunEvent(run.run().id(), "results", null, null));
    return results(run);
  }

  /** The step the eval's spec names: a number, or "latest" meaning the training's newest checkpoint. */
  private Long evaluatedStep(RunView run, Long trainingRunId) throws SQLException {
    String step = run.run().spec() == null ? "" : run.run().spec().path("checkpoint").path("step").asText("latest");
    if (step.chars().allMatch(Character::isDigit) && !step.isEmpty()) {
      return Long.parseLong(step);
    }
    if (trainingRunId == null) {
      return null;
    }
    List<CheckpointView> list = checkpoints.list(trainingRunId);
    return list.isEmpty() ? null : list.getLast().record().step();
  }

  public List<EvalResultRecord> results(RunView run) throws SQLException {
    return results.ofEvalRun(run.id()).stream()
        .map(s -> new EvalResultRecord(s.benchmark(), s.dataset(), s.shots(), s.metric(), s.value(), s.samples(),
            s.checkpointStep()))
        .toList();
  }

  /**
   * Creates the MM1Eval custom resource through the Kubernetes API (the operator runs it) and
   * registers its run, child of the training it evaluates, under the resource's UID (so the
   * operator's own registration finds the same run).
   */
  public RunRepository.Registered createEval(CreateEvalRequest request, String actor) throws SQLException {
    if (request == null || request.spec() == null) {
      throw ApiException.badRequest("spec is required: the MM1Eval spec {checkpoint, benchmarks, gate?, ...}");
    }
    MM1EvalSpec spec = request.spec();
    if (spec.checkpoint == null) {
      throw ApiException.missing("spec.checkpoint");
    }
    boolean fromTraining = spec.checkpoint.fromTraining != null && !spec.checkpoint.fromTraining.isBlank();
    boolean fromUri = spec.checkpoint.uri != null && !spec.checkpoint.uri.isBlank();
    if (fromTraining == fromUri) {
      throw ApiException.badRequest("spec.checkpoint: set exactly one of fromTraining or uri");
    }
    if (spec.checkpoint.step != null && !spec.checkpoint.step.matches("^(latest|[0-9]+)$")) {
      throw ApiException.badRequest("spec.checkpoint.step: '" + spec.checkpoint.step + "' is not \"latest\" or a step number");
    }
    if (spec.benchmarks == null || spec.benchmarks.isEmpty() || spec.benchmarks.size() > 64) {
      throw ApiException.badRequest("spec.benchmarks must list 1 to 64 benchmarks");
    }
    for (int i = 0; i < spec.benchmarks.size(); i++) {
      BenchmarkSpec b = spec.benchmarks.get(i);
      if (b == null || b.task == null) {
        throw ApiException.badRequest("spec.benchmarks[" + i + "].task is required: Captioning or VQA");
      }
      if (b.shots != null && b.shots.stream().anyMatch(s -> s == null || s < 0)) {
        throw ApiException.badRequest("spec.benchmarks[" + i + "].shots must be non-negative numbers");
      }
    }
    String namespace = request.namespace() == null || request.namespace().isBlank() ? defaultNamespace : request.namespace();
    String name = request.name() == null || request.name().isBlank()
        ? generatedName(fromTraining ? spec.checkpoint.fromTraining : "checkpoint") : request.name();
    String parentRunId = null;
    if (fromTraining) {
      parentRunId = runRepository.latestTraining(namespace, spec.checkpoint.fromTraining)
          .orElseThrow(() -> ApiException.badRequest("spec.checkpoint.fromTraining: no training named '"
              + spec.checkpoint.fromTraining + "' is registered in namespace '" + namespace + "'"))
          .run().id();
    }
    // Names are checked before anything is created in the cluster.
    runs.checkName("name", name);
    runs.checkName("namespace", namespace);

    MM1Eval eval = new MM1Eval();
    eval.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace)
        .withLabels(Map.of("app.kubernetes.io/created-by", "mm1-control-plane")).build());
    eval.setSpec(spec);
    MM1Eval created;
    try {
      created = kubernetes.resources(MM1Eval.class).inNamespace(namespace).resource(eval).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        throw ApiException.conflict("an MM1Eval named '" + name + "' already exists in namespace '" + namespace + "'");
      }
      if (e.getCode() == 422 || e.getCode() == 400) {
        throw ApiException.badRequest("the Kubernetes API rejected the MM1Eval: " + e.getStatus().getMessage());
      }
      throw new ApiException(502, "the Kubernetes API did not create the MM1Eval (HTTP " + e.getCode() + "): "
          + e.getMessage());
    }
    String uid = created.getMetadata().getUid() != null ? created.getMetadata().getUid() : namespace + "/" + name;
    return runs.register(new CreateRunRequest(name, namespace, RunKind.Eval, uid, parentRunId,
        json.valueToTree(spec)), actor);
  }

  private static String generatedName(String base) {
    String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    StringBuilder suffix = new StringBuilder();
    for (int i = 0; i < 6; i++) {
      suffix.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
    }
    String prefix = base.length() > 40 ? base.substring(0, 40) : base;
    return prefix + "-eval-" + suffix;
  }
}
