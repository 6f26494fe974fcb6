package dev.mm1.evaluator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.mm1.api.ExitCodes;
import dev.mm1.api.PodEnv;
import dev.mm1.api.config.Canonical;
import dev.mm1.api.config.EvalConfig;
import dev.mm1.api.v1alpha1.BenchmarkSpec;
import dev.mm1.api.v1alpha1.CommittedCheckpoint;
import dev.mm1.api.v1alpha1.GateSpec;
import dev.mm1.api.v1alpha1.MM1Eval;
import dev.mm1.api.v1alpha1.ModelSpec;
import dev.mm1.api.validation.ResourceValidator;
import dev.mm1.evaluator.run.EvalJob;
import dev.mm1.evaluator.run.EvalRunner;
import dev.mm1.model.EngineSettings;
import dev.mm1.trainer.config.LocalRun;
import dev.mm1.trainer.config.TrainingJob;
import dev.mm1.trainer.report.ControlPlaneReporter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mm1 eval}: evaluates a checkpoint few-shot on the benchmarks of an MM1Eval. In a pod it
 * reads the config the operator rendered ({@code MM1_CONFIG}) and the pod environment; with
 * {@code -f} it renders the same config from a spec file ({@link EvalConfig}, the operator's
 * renderer) and runs it here. Prints the results table, then one JSON object on the last line.
 */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Evaluate a checkpoint few-shot on captioning (CIDEr-D) and VQA (VQA accuracy) benchmarks.",
        "In a pod (no -f): reads MM1_CONFIG and the pod environment the operator sets.",
        "On one machine: ./mm1 eval -f EVAL.yaml evaluates the spec's checkpoint (or --checkpoint DIR).",
        "",
        "Writes predictions in the public result formats and report.json into --out; reports each",
        "benchmark x shots x metric to the control plane when MM1_CONTROL_PLANE_URL is set.",
        "Exit codes: 0 done; 64 invalid spec or input (unknown benchmark layout, missing images);",
        "67 checkpoint refused (manifest does not verify, weights do not fit the model);",
        "69 done but the results could not be delivered to the control plane (spooled in --out);",
        "74 I/O error."})
public final class EvalCommand implements Callable<Integer> {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @Option(names = {"-f", "--file"}, paramLabel = "EVAL.yaml", description = "An MM1Eval spec to run here (without it: pod mode).")
  Path specFile;

  @Option(names = "--checkpoint", paramLabel = "DIR", description = "The checkpoint directory (step-NNNNNNNNN) to evaluate, "
      + "instead of the spec's checkpoint reference.")
  Path checkpoint;

  @Option(names = "--data-root", paramLabel = "DIR", defaultValue = "data",
      description = "Where file:///data/... URIs of the spec resolve (default ./${DEFAULT-VALUE}).")
  Path dataRoot;

  @Option(names = "--runs-root", paramLabel = "DIR", defaultValue = "runs",
      description = "Where checkpoint.fromTraining finds the training's run directory (default ./${DEFAULT-VALUE}).")
  Path runsRoot;

  @Option(names = "--out", paramLabel = "DIR", description = "Predictions and report.json (default ./evals/<name>; pod: "
      + "MM1_OUTPUT_DIR, else /tmp/mm1-eval).")
  Path out;

  @Option(names = "--batch", paramLabel = "N", defaultValue = "8", description = "Queries generated together (default ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--threads", paramLabel = "N", description = "Compute threads (default: env MM1_THREADS, else every core).")
  Integer threads;

  @Option(names = "--control-plane", paramLabel = "URL",
      description = "Report the results to this control plane (default: env MM1_CONTROL_PLANE_URL; pod: the pod's).")
  URI controlPlane;

  @Option(names = "--run-id", paramLabel = "ID", description = "The control plane's run of this eval (default: env MM1_RUN_ID).")
  String runId;

  @Option(names = "--token", paramLabel = "TOKEN", description = "Bearer token (default: env MM1_CONTROL_PLANE_TOKEN).")
  String token;

  @Option(names = "--report-timeout", paramLabel = "SECONDS", defaultValue = "60",
      description = "How long to try delivering the results to the control plane (default ${DEFAULT-VALUE}).")
  int reportTimeout;

  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    System.exit(new CommandLine(new EvalCommand()).execute(args));
  }

  @Override
  public Integer call() {
    EvalJob job;
    try {
      if (batch < 1) {
        throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
      }
      job = specFile != null ? localJob() : podJob();
    } catch (IllegalArgumentException | InvalidInputException | UncheckedIOException e) {
      return fail(ExitCodes.INVALID_CONFIG, e.getMessage());
    } catch (IOException e) {
      return fail(ExitCodes.IO_ERROR, e.toString());
    }
    String env = System.getenv("MM1_THREADS");
    EngineSettings.configure(threads != null ? threads : env != null && !env.isBlank() ? Integer.parseInt(env.trim())
        : Runtime.getRuntime().availableProcessors());
    EvalRunner.Report report;
    try {
      report = new EvalRunner(job, System.err).run();
    } catch (EvalRunner.RefusedCheckpointException e) {
      return fail(ExitCodes.INCOMPATIBLE_CHECKPOINT, e.getMessage());
    } catch (InvalidInputException | IllegalArgumentException e) {
      return fail(ExitCodes.INVALID_CONFIG, e.getMessage());
    } catch (IOException | UncheckedIOException e) {
      return fail(ExitCodes.IO_ERROR, e.getMessage());
    }
    print(report);
    if (job.reporting() != null && !deliver(job, report, Duration.ofSeconds(reportTimeout))) {
      return fail(ExitCodes.UNDELIVERED, "the control plane " + job.reporting().url() + " did not take the results; "
          + "they are spooled in " + job.out() + " and sent when the eval runs again");
    }
    return ExitCodes.OK;
  }

  private static boolean deliver(EvalJob job, EvalRunner.Report report, Duration timeout) {
    var reporting = job.reporting();
    try (var reporter = new ControlPlaneReporter(reporting.url(), reporting.token(), reporting.runId(), job.out(),
        Duration.ofSeconds(2), message -> System.err.println("mm1 eval: " + message))) {
      reporter.results(report.records());
      return reporter.flush(timeout);
    } catch (IOException e) {
      System.err.println("mm1 eval: cannot spool the results: " + e.getMessage());
      return false;
    }
  }

  private static void print(EvalRunner.Report report) {
    System.out.printf("%-24s %-24s %5s %-13s %8s %7s%n", "benchmark", "dataset", "shots", "metric", "value", "samples");
    for (var o : report.outcomes()) {
      System.out.printf(Locale.ROOT, "%-24s %-24s %5d %-13s %8.2f %7d%n", o.benchmark(), o.dataset(), o.shots(), o.metric(),
          o.value(), o.samples());
    }
    var json = Canonical.JSON.createObjectNode();
    json.put("checkpoint", report.checkpoint().toString());
    json.put("step", report.step());
    json.put("seconds", report.seconds());
    var results = json.putArray("results");
    for (var o : report.outcomes()) {
      var entry = results.addObject().put("benchmark", o.benchmark()).put("dataset", o.dataset()).put("shots", o.shots())
          .put("metric", o.metric()).put("value", o.value()).put("samples", o.samples());
      o.details().forEach(entry::put);
    }
    System.out.println(json.toString());
  }

  private static int fail(int code, String message) {
    System.err.println("mm1 eval: " + message + " (exit " + code + ")");
    return code;
  }

  /** A spec file: validated as the operator validates it, /data mapped, the checkpoint resolved locally. */
  private EvalJob localJob() throws IOException {
    JsonNode tree;
    try {
      tree = YAML.readTree(Files.readString(specFile));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(specFile + " is not valid YAML: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read spec file " + specFile + ": "
          + (e instanceof java.nio.file.NoSuchFileException ? "it does not exist" : e.getMessage()));
    }
    if (!(tree instanceof ObjectNode) || !tree.path("spec").isObject()) {
      throw new IllegalArgumentException(specFile + " is not an MM1Eval (no spec); see manifests/samples/tiny-eval.yaml");
    }
    var violations = new ResourceValidator().violations(tree);
    if (!violations.isEmpty()) {
      throw new IllegalArgumentException(specFile + " is not a valid MM1Eval: "
          + String.join("; ", violations.stream().map(Object::toString).toList()));
    }
    var eval = YAML.treeToValue(tree, MM1Eval.class);
    var name = eval.getMetadata().getName();
    var spec = eval.getSpec();
    Path dir;
    if (checkpoint != null) {
      dir = checkpoint;
    } else if (spec.checkpoint.uri != null) {
      dir = LocalRun.localPath(LocalRun.mapped(spec.checkpoint.uri, dataRoot.toAbsolutePath()), "spec.checkpoint.uri");
    } else {
      dir = LocalRun.resolve(runsRoot.resolve(spec.checkpoint.fromTraining), spec.checkpoint.step, "spec.checkpoint").dir();
    }
    var outDir = (out != null ? out : Path.of("evals", name)).toAbsolutePath();
    Files.createDirectories(outDir);
    var resolved = new CommittedCheckpoint();
    resolved.uri = dir.toAbsolutePath().toUri().toString();
    if (eval.getMetadata().getUid() == null) {
      eval.getMetadata().setUid("local-" + name);
    }
    Files.writeString(outDir.resolve("config.json"), EvalConfig.render(eval, resolved, null, dir.toAbsolutePath().toString()));
    var root = dataRoot.toAbsolutePath();
    return new EvalJob(name, spec.benchmarks, spec.gate, spec.model, dir, null,
        uri -> directory(LocalRun.mapped(uri, root)), outDir, envReporting(), batch);
  }

  /** The operator's rendered config and the pod environment. */
  private EvalJob podJob() throws IOException {
    PodEnv env;
    try {
      env = PodEnv.from(System.getenv());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("pod mode (no -f): " + e.getMessage() + "; to run a spec on this machine use -f EVAL.yaml");
    }
    var config = Canonical.JSON.readTree(Files.readString(env.config()));
    var reader = Canonical.JSON.copy().disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    var benchmarks = new ArrayList<BenchmarkSpec>();
    for (var node : config.path("benchmarks")) {
      benchmarks.add(reader.treeToValue(node, BenchmarkSpec.class));
    }
    if (benchmarks.isEmpty()) {
      throw new IllegalArgumentException(env.config() + " names no benchmarks");
    }
    var gate = config.has("gate") ? reader.treeToValue(config.get("gate"), GateSpec.class) : null;
    var model = config.has("model") ? reader.treeToValue(config.get("model"), ModelSpec.class) : null;
    var resolved = config.path("checkpoint");
    var path = resolved.path("path").asText(null);
    if (path == null) {
      throw new IllegalArgumentException(env.config() + " has no checkpoint.path: the operator did not resolve the checkpoint");
    }
    var name = config.path("run").path("name").asText("eval");
    var outDir = out != null ? out : Path.of(System.getenv().getOrDefault("MM1_OUTPUT_DIR", "/tmp/mm1-eval"));
    Files.createDirectories(outDir);
    var reporting = env.controlPlaneUrl().map(url -> new TrainingJob.Reporting(url, env.controlPlaneToken().orElse(""),
        env.runId())).orElse(null);
    return new EvalJob(name, benchmarks, gate, model, Path.of(path), resolved.path("sha256").asText(null),
        EvalCommand::directory, outDir.toAbsolutePath(), reporting, batch);
  }

  /** Reporting from the flags, else the environment (as ./mm1 up sets it); none without a URL and a run. */
  private TrainingJob.Reporting envReporting() {
    var url = controlPlane != null ? controlPlane.toString() : System.getenv(PodEnv.MM1_CONTROL_PLANE_URL);
    var run = runId != null ? runId : System.getenv(PodEnv.MM1_RUN_ID);
    if (url == null || url.isBlank()) {
      return null;
    }
    if (run == null || run.isBlank()) {
      throw new IllegalArgumentException("--control-plane needs --run-id (or MM1_RUN_ID): the eval run to report to");
    }
    var bearer = token != null ? token : System.getenv(PodEnv.MM1_CONTROL_PLANE_TOKEN);
    return new TrainingJob.Reporting(URI.create(url), bearer == null ? "" : bearer, run);
  }

  /** A benchmark's dataset directory: a file: URI or an absolute path that exists. */
  static Path directory(String uri) {
    var path = LocalRun.localPath(uri, "benchmark uri");
    if (!Files.isDirectory(path)) {
      throw new InvalidInputException("benchmark uri '" + uri + "': " + path + " is not a directory");
    }
    return path;
  }
}
