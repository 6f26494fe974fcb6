package dev.mm1.trainer;

import dev.mm1.api.ExitCodes;
import dev.mm1.api.PodEnv;
import dev.mm1.api.config.TrainerConfig;
import dev.mm1.trainer.config.LocalRun;
import dev.mm1.trainer.config.TrainingJob;
import dev.mm1.trainer.data.DataPipelineException;
import dev.mm1.trainer.data.SkipBudgetExceededException;
import dev.mm1.trainer.loop.SingleProcess;
import dev.mm1.trainer.loop.Trainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mm1 train}: the trainer. In a pod it reads the pod environment ({@link PodEnv}) and the
 * config the operator rendered ({@code MM1_CONFIG}); with {@code -f} it renders the same config
 * from a spec file itself and runs it on this machine. The exit code follows {@link ExitCodes}.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Train an MM1 model: pre-training or SFT, dense or mixture-of-experts.",
        "In a pod (no -f): reads MM1_CONFIG and the pod environment the operator sets.",
        "On one machine: ./mm1 train -f SPEC.yaml renders the same config and runs it; a run that",
        "was stopped resumes from its newest valid checkpoint when started again.",
        "",
        "Exit codes: 0 done; 64 invalid config or input; 65 bad samples over the skip budget;",
        "66 diverged (non-finite loss); 67 checkpoint of another model or config; 74 I/O error",
        "(retryable); 143 SIGTERM (retryable); anything else retryable."},
    footer = {"", "Every step appends a JSON object to metrics.jsonl in the run directory (pod: the checkpoint",
        "directory): step, loss, lm_loss, MoE losses, lr, grad_norm, tokens, tokens_per_s, mfu, data_wait_s, ..."})
public final class TrainCommand implements Callable<Integer> {
  @Option(names = {"-f", "--file"}, paramLabel = "SPEC.yaml",
      description = "An MM1Training spec to run on this machine (without it: pod mode).")
  Path specFile;

  @Option(names = "--run-dir", paramLabel = "DIR",
      description = "Checkpoints, metrics.jsonl and the rendered config (default ./runs/<name>).")
  Path runDir;

  @Option(names = "--data-root", paramLabel = "DIR", defaultValue = "data",
      description = "Where file:///data/... URIs of the spec resolve (default ./${DEFAULT-VALUE}).")
  Path dataRoot;

  @Option(names = "--runs-root", paramLabel = "DIR",
      description = "Where init.fromTraining finds other runs' directories (default: the parent of --run-dir).")
  Path runsRoot;

  @Option(names = "--set", paramLabel = "PATH=VALUE",
      description = "Override a spec field, e.g. --set optimization.steps=40 (validated like the spec).")
  List<String> sets = List.of();

  @Option(names = "--threads", paramLabel = "N",
      description = "Compute threads (default: env MM1_THREADS, else every core). Keep it fixed across a resume for "
          + "bit-identical losses.")
  Integer threads;

  @Option(names = "--data-threads", paramLabel = "N", defaultValue = "1",
      description = "Background threads decoding and packing data (default ${DEFAULT-VALUE}).")
  int dataThreads;

  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    var command = new CommandLine(new TrainCommand());
    command.setExecutionExceptionHandler((e, line, parsed) -> {
      System.err.println("mm1 train: " + e.getMessage());
      return 1;
    });
    System.exit(command.execute(args));
  }

  @Override
  public Integer call() {
    var processStart = ProcessHandle.current().info().startInstant().orElse(Instant.now());
    TrainingJob job;
    try {
      job = specFile != null ? localJob() : podJob();
    } catch (IllegalArgumentException | UncheckedIOException e) {
      return fail(ExitCodes.INVALID_CONFIG, e.getMessage());
    } catch (NoSuchFileException e) {
      return fail(ExitCodes.INVALID_CONFIG, "file not found: " + e.getMessage());
    } catch (IOException e) {
      return fail(ExitCodes.IO_ERROR, "cannot prepare the run directory: " + e);
    }
    configureEngine(threads != null ? threads : envInt("MM1_THREADS", Runtime.getRuntime().availableProcessors()));
    var trainer = new Trainer(job, new SingleProcess(), System.err, processStart, dataThreads);
    var finished = new CountDownLatch(1);
    var main = Thread.currentThread();
    // SIGTERM: stop at the next micro-batch, abort a checkpoint in flight (it was never visible), exit 143.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      trainer.requestStop();
      try {
        if (!finished.await(30, TimeUnit.SECONDS)) {
          main.interrupt();
        }
      } catch (InterruptedException ignored) {
        // the JVM is going down anyway
      }
    }));
    try {
      trainer.run();
      return ExitCodes.OK;
    } catch (Trainer.TerminatedException e) {
      return fail(ExitCodes.TERMINATED, e.getMessage());
    } catch (Trainer.DivergedException e) {
      return fail(ExitCodes.DIVERGED, e.getMessage());
    } catch (Trainer.IncompatibleCheckpointException e) {
      return fail(ExitCodes.INCOMPATIBLE_CHECKPOINT, e.getMessage());
    } catch (SkipBudgetExceededException e) {
      return fail(ExitCodes.DATA_ERRORS, e.getMessage());
    } catch (IllegalArgumentException | DataPipelineException e) {
      return fail(ExitCodes.INVALID_CONFIG, e.getMessage());
    } catch (IOException | UncheckedIOException e) {
      return fail(ExitCodes.IO_ERROR, e.getMessage());
    } finally {
      finished.countDown();
    }
  }

  private static int fail(int code, String message) {
    System.err.println("mm1 train: " + message + " (exit " + code + ")");
    return code;
  }

  private TrainingJob localJob() throws IOException {
    var run = LocalRun.render(specFile, sets, dataRoot);
    var dir = runDir != null ? runDir : Path.of("runs", run.name());
    var runs = runsRoot != null ? runsRoot : dir.toAbsolutePath().getParent();
    return run.job(dir, runs, envReporting(null));
  }

  private static TrainingJob podJob() throws IOException {
    PodEnv env;
    try {
      env = PodEnv.from(System.getenv());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("pod mode (no -f): " + e.getMessage() + "; to run a spec on this machine use -f SPEC.yaml");
    }
    var json = Files.readString(env.config());
    var rendered = TrainerConfig.read(json);
    TrainingJob.InitCheckpoint init = null;
    if (rendered.initPath() != null) {
      init = new TrainingJob.InitCheckpoint(Path.of(rendered.initPath()), rendered.init().sha256);
    } else if (rendered.init() != null && rendered.init().uri != null) {
      init = new TrainingJob.InitCheckpoint(LocalRun.localPath(rendered.init().uri, "spec.init.resolved.uri"),
          rendered.init().sha256);
    } else if (rendered.spec().init != null && rendered.spec().init.uri != null) {
      init = new TrainingJob.InitCheckpoint(LocalRun.localPath(rendered.spec().init.uri, "spec.init.uri"), null);
    }
    var reporting = env.controlPlaneUrl().map(url -> new TrainingJob.Reporting(url,
        env.controlPlaneToken().orElse(""), env.runId())).orElse(null);
    var checkpoints = env.checkpointDir();
    return new TrainingJob(rendered.spec(), json, checkpoints, checkpoints, init,
        rendered.name() == null ? "training" : rendered.name(), env.attempt(), reporting);
  }

  /** Local runs report when the environment names a control plane and a run (as ./mm1 up does). */
  private static TrainingJob.Reporting envReporting(String fallbackRun) {
    var url = System.getenv(PodEnv.MM1_CONTROL_PLANE_URL);
    var run = System.getenv(PodEnv.MM1_RUN_ID);
    if (url == null || url.isBlank() || (run == null && fallbackRun == null)) {
      return null;
    }
    var token = System.getenv(PodEnv.MM1_CONTROL_PLANE_TOKEN);
    return new TrainingJob.Reporting(URI.create(url), token == null ? "" : token, run != null ? run : fallbackRun);
  }

  private static int envInt(String name, int fallback) {
    var value = System.getenv(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("environment variable " + name + " must be an integer, got '" + value + "'");
    }
  }

  /** DJL settings read once when the engine starts: no download, the PyTorch engine, fixed threads. */
  public static void configureEngine(int threads) {
    dev.mm1.model.EngineSettings.configure(threads);
  }
}
