package dev.mm1.evaluator.gate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mm1.api.PodEnv;
import dev.mm1.api.config.Canonical;
import dev.mm1.api.gate.GateEvaluation;
import dev.mm1.api.rest.CreateEvalRequest;
import dev.mm1.api.rest.Run;
import dev.mm1.api.rest.RunKind;
import dev.mm1.api.rest.RunState;
import dev.mm1.api.rest.RunStateChange;
import dev.mm1.api.v1alpha1.BenchmarkResult;
import dev.mm1.api.v1alpha1.BenchmarkSpec;
import dev.mm1.api.v1alpha1.GateSpec;
import dev.mm1.api.v1alpha1.GateThreshold;
import dev.mm1.api.v1alpha1.MM1Eval;
import dev.mm1.api.v1alpha1.MM1EvalSpec;
import dev.mm1.api.validation.SchemaViolation;
import dev.mm1.api.validation.SpecSchema;
import dev.mm1.evaluator.ExitCodes;
import dev.mm1.evaluator.InvalidInputException;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./mm1 gate}: the CI gate. Creates an eval of a checkpoint through the control plane
 * ({@code POST /api/v1/evals}), waits for it (progress on stderr), compares its results with the
 * thresholds and the baseline by the operator's rules ({@link GateEvaluation}), prints the table and
 * one JSON object on the last line, and exits 0 (passed), 1 (failed) or 2 (could not judge: invalid
 * arguments, control plane unreachable or refusing, eval failed, timeout).
 */
@Command(name = "gate", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Evaluate a checkpoint through the control plane and exit non-zero when its gate fails (for CI).",
        "Exit codes: 0 passed, 1 failed (a threshold missed or a regression beyond --max-regression), "
            + "2 error (invalid arguments, control plane unreachable, eval failed, timeout)."})
public final class GateCommand implements Callable<Integer> {
  private static final Pattern MINIMUM = Pattern.compile("^([a-z0-9]([-a-z0-9]*[a-z0-9])?)@([0-9]+)=([0-9]+(\\.[0-9]+)?)$");
  private static final ObjectMapper JSON = new ObjectMapper();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--control-plane", paramLabel = "URL",
      description = "Control plane base URL, e.g. https://mm1.example.com (default: $" + PodEnv.MM1_CONTROL_PLANE_URL + ").")
  String controlPlaneUrl;

  @Option(names = "--token", paramLabel = "T",
      description = "Bearer token with the scopes evals and read (default: $" + PodEnv.MM1_CONTROL_PLANE_TOKEN
          + "; prefer the variable, command lines are visible to other users).")
  String token;

  @Option(names = "--checkpoint", required = true, paramLabel = "REF",
      description = "TRAINING, TRAINING@latest, TRAINING@STEP (an MM1Training's checkpoint), or a checkpoint URI "
          + "(file:, s3:, gs:, http(s):, pvc:).")
  String checkpoint;

  @Option(names = "--benchmarks", required = true, arity = "1..*", paramLabel = "FILE|SPEC",
      description = "Benchmarks: YAML/JSON files (a list, {benchmarks: [...]} or an MM1Eval manifest) or inline "
          + "name=coco,task=Captioning,uri=pvc:data/coco[,dataset=...][,shots=0/4/8][,maxSamples=N][,maxNewTokens=N]"
          + "[,format=F][,seed=N].")
  List<String> benchmarks;

  @Option(names = "--baseline", paramLabel = "REF",
      description = "Compare with: a run id (42, run:42) or an MM1Eval (NAME, NAMESPACE/NAME, eval:NAMESPACE/NAME; its newest run).")
  String baseline;

  @Option(names = "--max-regression", paramLabel = "X",
      description = "Largest allowed drop below the baseline, in metric points (CIDEr-D or VQA accuracy, 0-100 scale); needs --baseline.")
  Double maxRegression;

  @Option(names = "--min", paramLabel = "NAME@SHOTS=V",
      description = "Minimum of a benchmark at a shot count, e.g. coco@4=80; repeatable.")
  List<String> minimums = new ArrayList<>();

  @Option(names = "--wait", paramLabel = "TIMEOUT", defaultValue = "2h", converter = WaitDuration.class,
      description = "How long to wait for the eval: 90s, 30m, 2h (default ${DEFAULT-VALUE}).")
  Duration wait;

  @Option(names = "--namespace", paramLabel = "NS", description = "Namespace of the MM1Eval (default: the control plane's).")
  String namespace;

  @Option(names = "--name", paramLabel = "NAME", description = "Name of the MM1Eval (default: generated).")
  String name;

  @Option(names = "--poll-interval", paramLabel = "D", defaultValue = "5s", converter = WaitDuration.class,
      description = "How often to ask the control plane about the eval (default ${DEFAULT-VALUE}).")
  Duration pollInterval;

  private final Map<String, String> environment;

  public GateCommand() {
    this(System.getenv());
  }

  /** With another environment (tests). */
  public GateCommand(Map<String, String> environment) {
    this.environment = environment;
  }

  public static void main(String[] args) {
    System.exit(commandLine(new GateCommand()).execute(args));
  }

  /** The command line with the gate's exit codes: 2 for every error, including ones picocli would give 1. */
  public static CommandLine commandLine(GateCommand command) {
    CommandLine line = new CommandLine(command);
    line.setExitCodeExceptionMapper(exception -> ExitCodes.INVALID);
    line.setParameterExceptionHandler((exception, args) -> {
      command.error(exception.getCommandLine(), exception.getMessage() + " (see ./mm1 gate --help)");
      return ExitCodes.INVALID;
    });
    line.setExecutionExceptionHandler((exception, commandLine, parseResult) -> {
      command.error(commandLine, exception instanceof InvalidInputException ? exception.getMessage()
          : "internal error: " + exception);
      if (!(exception instanceof InvalidInputException)) {
        exception.printStackTrace(commandLine.getErr());
      }
      return ExitCodes.INVALID;
    });
    return line;
  }

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    URI base = controlPlane();
    String bearer = setting(token, PodEnv.MM1_CONTROL_PLANE_TOKEN, "--token");
    MM1EvalSpec evalSpec = evalSpec();
    validate(evalSpec);
    ControlPlane client = new ControlPlane(base, bearer, Duration.ofSeconds(30));
    try {
      List<BenchmarkResult> baselineResults = List.of();
      if (baseline != null) {
        String baselineRun = baselineRunId(client, References.baseline(baseline));
        evalSpec.gate.baselineRunId = baselineRun;
        baselineResults = client.results(baselineRun).stream().map(GateEvaluation::result).toList();
        if (baselineResults.isEmpty()) {
          throw new InvalidInputException("--baseline " + baseline + ": run " + baselineRun + " has no results to compare with");
        }
        progress(err, "baseline: run %s with %d results", baselineRun, baselineResults.size());
      }
      Run run = client.createEval(new CreateEvalRequest(name, namespace, evalSpec));
      progress(err, "created MM1Eval %s/%s (run %s) for checkpoint %s; waiting up to %s", run.namespace(), run.name(),
          run.id(), checkpoint, describe(wait));
      Run finished = await(client, run, err);
      if (finished.state() != RunState.Succeeded) {
        return error(spec.commandLine(), "eval " + finished.namespace() + "/" + finished.name() + " (run " + finished.id()
            + ") ended " + finished.state() + lastReason(client, finished) + "; the gate cannot judge it");
      }
      List<BenchmarkResult> results = client.results(run.id()).stream().map(GateEvaluation::result).toList();
      GateEvaluation.Judgement judgement = GateEvaluation.compare(results, evalSpec.gate, baselineResults);
      report(finished, judgement);
      return judgement.verdict().passed ? ExitCodes.OK : ExitCodes.GATE_FAILED;
    } catch (ControlPlaneException e) {
      return error(spec.commandLine(), e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return error(spec.commandLine(), "interrupted while waiting for the eval");
    }
  }

  /** The MM1Eval spec from the options: checkpoint, benchmarks, gate. Invalid options throw with the option's name. */
  MM1EvalSpec evalSpec() {
    MM1EvalSpec evalSpec = new MM1EvalSpec();
    evalSpec.checkpoint = References.checkpoint(checkpoint);
    evalSpec.benchmarks = BenchmarkArguments.parse(benchmarks);
    Map<String, List<Integer>> shotsByBenchmark = new HashMap<>();
    for (BenchmarkSpec benchmark : evalSpec.benchmarks) {
      if (shotsByBenchmark.put(benchmark.name, benchmark.shots == null ? List.of(0) : benchmark.shots) != null) {
        throw new InvalidInputException("--benchmarks: the name '" + benchmark.name + "' is used twice; names must be unique");
      }
    }
    GateSpec gate = new GateSpec();
    gate.thresholds = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (String minimum : minimums) {
      Matcher matcher = MINIMUM.matcher(minimum);
      if (!matcher.matches()) {
        throw new InvalidInputException("--min: '" + minimum + "' is not NAME@SHOTS=VALUE, e.g. coco@4=80.5");
      }
      GateThreshold threshold = new GateThreshold();
      threshold.benchmark = matcher.group(1);
      threshold.shots = Integer.valueOf(matcher.group(3));
      threshold.min = Double.valueOf(matcher.group(4));
      List<Integer> shots = shotsByBenchmark.get(threshold.benchmark);
      if (shots == null) {
        throw new InvalidInputException("--min " + minimum + ": '" + threshold.benchmark + "' is not one of the --benchmarks "
            + shotsByBenchmark.keySet().stream().sorted().toList());
      }
      if (!shots.contains(threshold.shots)) {
        throw new InvalidInputException("--min " + minimum + ": benchmark " + threshold.benchmark + " runs at shots "
            + shots + ", not " + threshold.shots);
      }
      if (!seen.add(threshold.benchmark + "@" + threshold.shots)) {
        throw new InvalidInputException("--min " + minimum + ": " + threshold.benchmark + "@" + threshold.shots + " has a minimum already");
      }
      gate.thresholds.add(threshold);
    }
    if (maxRegression != null) {
      if (baseline == null) {
        throw new InvalidInputException("--max-regression needs --baseline: regression is measured against a baseline");
      }
      if (maxRegression < 0 || maxRegression.isNaN()) {
        throw new InvalidInputException("--max-regression must be 0 or more metric points, got " + maxRegression);
      }
      gate.maxRegression = maxRegression;
    }
    if (wait.isNegative() || wait.isZero() || pollInterval.isNegative() || pollInterval.isZero()) {
      throw new InvalidInputException("--wait and --poll-interval must be positive durations");
    }
    evalSpec.gate = gate;
    return evalSpec;
  }

  /** The CRD schema, checked here so that a bad value is an argument error now, not a failed eval later. */
  private void validate(MM1EvalSpec evalSpec) {
    MM1Eval eval = new MM1Eval();
    eval.setMetadata(new ObjectMetaBuilder().withName(name == null ? "gate" : name).withNamespace(namespace).build());
    eval.setSpec(evalSpec);
    List<SchemaViolation> violations = SpecSchema.forPlural("mm1evals").violations(Canonical.tree(eval));
    if (!violations.isEmpty()) {
      throw new InvalidInputException("the eval would be invalid: " + violations.stream().map(SchemaViolation::toString)
          .reduce((a, b) -> a + "; " + b).orElseThrow());
    }
  }

  private URI controlPlane() {
    String url = setting(controlPlaneUrl, PodEnv.MM1_CONTROL_PLANE_URL, "--control-plane");
    try {
      URI uri = URI.create(url.endsWith("/") ? url : url + "/");
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
        throw new IllegalArgumentException("not an http(s) URL");
      }
      return uri;
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException("--control-plane: '" + url + "' is not an http(s) URL such as http://localhost:8080");
    }
  }

  private String setting(String option, String variable, String optionName) {
    String value = option != null ? option : environment.get(variable);
    if (value == null || value.isBlank()) {
      throw new InvalidInputException("set " + optionName + " or the environment variable " + variable);
    }
    return value;
  }

  private String baselineRunId(ControlPlane client, References.Baseline reference) throws ControlPlaneException {
    if (reference.runId() != null) {
      Run run = client.run(reference.runId());
      if (run.kind() != RunKind.Eval) {
        throw new InvalidInputException("--baseline " + baseline + ": run " + run.id() + " is a " + run.kind()
            + " run; the baseline is an eval run");
      }
      return requireSucceeded(run);
    }
    String inNamespace = reference.namespace() != null ? reference.namespace() : namespace;
    List<Run> matches = client.evalRuns(reference.evalName(), inNamespace).stream()
        .filter(r -> r.name().equals(reference.evalName()))
        .toList();
    if (matches.isEmpty()) {
      throw new InvalidInputException("--baseline " + baseline + ": the control plane knows no eval named '"
          + reference.evalName() + "'" + (inNamespace == null ? "" : " in namespace " + inNamespace));
    }
    if (matches.stream().map(Run::namespace).distinct().count() > 1) {
      throw new InvalidInputException("--baseline " + baseline + ": evals named '" + reference.evalName()
          + "' exist in namespaces " + matches.stream().map(Run::namespace).distinct().sorted().toList()
          + "; write NAMESPACE/" + reference.evalName() + " or set --namespace");
    }
    return requireSucceeded(matches.getFirst());
  }

  private String requireSucceeded(Run run) {
    if (run.state() != RunState.Succeeded) {
      throw new InvalidInputException("--baseline " + baseline + ": run " + run.id() + " (" + run.namespace() + "/"
          + run.name() + ") is " + run.state() + "; a baseline must have succeeded");
    }
    return run.id();
  }

  private Run await(ControlPlane client, Run created, PrintWriter err) throws ControlPlaneException, InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    RunState lastState = null;
    int lastResults = -1;
    Run run = created;
    while (true) {
      run = client.run(created.id());
      int results = client.results(created.id()).size();
      if (run.state() != lastState || results != lastResults) {
        progress(err, "eval %s/%s (run %s): %s, %d results", run.namespace(), run.name(), run.id(), run.state(), results);
        lastState = run.state();
        lastResults = results;
      }
      if (run.state().isFinal()) {
        return run;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new ControlPlaneException("timed out after " + describe(wait) + " waiting for eval " + run.namespace() + "/"
            + run.name() + " (run " + run.id() + "), which is still " + run.state() + " with " + results + " results");
      }
      Thread.sleep(Math.min(pollInterval.toMillis(), Math.max(1, left / 1_000_000)));
    }
  }

  private String lastReason(ControlPlane client, Run run) {
    try {
      List<RunStateChange> changes = client.transitions(run.id());
      if (!changes.isEmpty()) {
        RunStateChange last = changes.getLast();
        return " (" + last.reason() + (last.message() == null ? "" : ": " + last.message()) + ")";
      }
    } catch (ControlPlaneException e) {
      // the reason is a courtesy; the state already says the eval failed
    }
    return "";
  }

  private void report(Run run, GateEvaluation.Judgement judgement) {
    PrintWriter out = spec.commandLine().getOut();
    ComparisonTable.print(out, judgement.rows());
    for (String failure : judgement.verdict().failures) {
      out.println("FAIL " + failure);
    }
    out.println(judgement.verdict().passed ? "gate passed" : "gate failed");
    ObjectNode json = JSON.createObjectNode();
    json.put("passed", judgement.verdict().passed);
    json.put("eval", run.name());
    json.put("namespace", run.namespace());
    json.put("runId", run.id());
    json.put("checkpoint", checkpoint);
    ArrayNode rows = json.putArray("rows");
    for (GateEvaluation.Row row : judgement.rows()) {
      ObjectNode node = rows.addObject();
      node.put("benchmark", row.benchmark());
      node.put("shots", row.shots());
      node.put("metric", row.metric());
      node.put("baseline", row.baseline());
      node.put("candidate", row.candidate());
      node.put("delta", row.delta());
      node.put("minimum", row.minimum());
      node.put("passed", row.passed());
    }
    ArrayNode failures = json.putArray("failures");
    judgement.verdict().failures.forEach(failures::add);
    out.println(json);
    out.flush();
  }

  /** An error: one line on stderr, a JSON line on stdout for CI logs, exit code 2. */
  int error(CommandLine commandLine, String message) {
    commandLine.getErr().println("mm1 gate: " + message);
    commandLine.getErr().flush();
    ObjectNode json = JSON.createObjectNode();
    json.put("passed", false);
    json.put("error", message);
    commandLine.getOut().println(json);
    commandLine.getOut().flush();
    return ExitCodes.INVALID;
  }

  private static void progress(PrintWriter err, String format, Object... args) {
    err.printf(format + "%n", args);
    err.flush();
  }

  private static String describe(Duration duration) {
    return duration.toString().substring(2).toLowerCase();
  }
}
