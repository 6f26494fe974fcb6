package dev.mm1.trainer;

import dev.mm1.api.ExitCodes;
import dev.mm1.api.PodEnv;
import dev.mm1.api.config.Canonical;
import dev.mm1.api.config.TrainerConfig;
import dev.mm1.trainer.config.LocalRun;
import dev.mm1.trainer.config.TrainingJob;
import dev.mm1.trainer.data.DataPipelineException;
import dev.mm1.trainer.data.SkipBudgetExceededException;
import dev.mm1.trainer.collective.CollectiveSettings;
import dev.mm1.trainer.collective.PeerLostException;
import dev.mm1.trainer.collective.Rendezvous;
import dev.mm1.trainer.collective.RendezvousException;
import dev.mm1.trainer.collective.RingCollective;
import dev.mm1.trainer.launch.JavaCommand;
import dev.mm1.trainer.launch.NodeLauncher;
import dev.mm1.trainer.loop.Collective;
import dev.mm1.trainer.loop.SingleProcess;
import dev.mm1.trainer.loop.Trainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
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
        "Data parallel: --nproc-per-node N starts N worker processes that train as one;",
        "--nnodes, --node-rank, --master-addr, --master-port join launchers on several",
        "machines, as torchrun does. In a pod NPROC_PER_NODE > 1 starts that many.",
        "",
        "Exit codes: 0 done; 64 invalid config or input; 65 bad samples over the skip",
        "budget; 66 diverged (non-finite loss); 67 checkpoint of another model or config;",
        "74 I/O error (retryable); 75 a data-parallel peer was lost (retryable);",
        "76 data-parallel replicas' weights differ (retryable); 143 SIGTERM (retryable);",
        "anything else retryable."},
    footer = {"", "Every step appends a JSON object to metrics.jsonl in the run directory (pod: the checkpoint",
        "directory): step, loss, lm_loss, MoE losses, lr, grad_norm, tokens, tokens_per_s, mfu, data_wait_s, ..."})
public final class TrainCommand implements Callable<Integer> {
  @Option(names = {"-f", "--file"}, paramLabel = "SPEC.yaml",
      description = "An MM1Training spec to run on this machine (without it: pod mode).")
  Path specFile;

  @Option(names = "--run-dir", paramLabel = "DIR",
      description = "Checkpoints, metrics.jsonl and the rendered config (default <runs-root>/<name>, ./runs/<name>).")
  Path runDir;

  @Option(names = "--data-root", paramLabel = "DIR", defaultValue = "data",
      description = "Where file:///data/... URIs of the spec resolve (default ./${DEFAULT-VALUE}).")
  Path dataRoot;

  @Option(names = "--runs-root", paramLabel = "DIR",
      description = "Where runs live: this run's directory when --run-dir is not given, and the runs init.fromTraining names (default: the parent of --run-dir, else ./runs).")
  Path runsRoot;

  @Option(names = "--set", paramLabel = "PATH=VALUE",
      description = "Override a spec field, e.g. --set optimization.steps=40 (validated like the spec).")
  List<String> sets = List.of();

  @Option(names = "--threads", paramLabel = "N",
      description = "Compute threads per worker (default: env MM1_THREADS, else the cores divided among this machine's "
          + "workers). Keep it fixed across a resume for bit-identical losses.")
  Integer threads;

  @Option(names = "--data-threads", paramLabel = "N", defaultValue = "1",
      description = "Background threads decoding and packing data (default ${DEFAULT-VALUE}).")
  int dataThreads;

  @Option(names = "--nproc-per-node", paramLabel = "N",
      description = "With -f: worker processes on this machine (data parallel; default 1).")
  Integer processesPerNode;

  @Option(names = "--nnodes", paramLabel = "N",
      description = "With -f: machines (launchers) in the gang, each started with its --node-rank (default 1).")
  Integer nodes;

  @Option(names = "--node-rank", paramLabel = "R", defaultValue = "0",
      description = "With -f: this launcher's index among --nnodes (default ${DEFAULT-VALUE}).")
  int nodeRank;

  @Option(names = "--master-addr", paramLabel = "HOST", defaultValue = "127.0.0.1",
      description = "With -f: where node rank 0's rank 0 listens (default ${DEFAULT-VALUE}).")
  String masterAddr;

  @Option(names = "--master-port", paramLabel = "PORT", defaultValue = "29500",
      description = "With -f: the rendezvous port on --master-addr (default ${DEFAULT-VALUE}).")
  int masterPort;

  /** How long a worker that must stop (lost peer, vanished launcher) may take before it is halted. */
  static final Duration STOP_GRACE = Duration.ofSeconds(10);

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
    if (specFile == null && (processesPerNode != null || nodes != null)) {
      return fail(ExitCodes.INVALID_CONFIG, "--nproc-per-node and --nnodes go with -f; in a pod the operator sets "
          + PodEnv.NPROC_PER_NODE + " and " + PodEnv.NNODES);
    }
    boolean localGang = specFile != null && (processesPerNode != null || nodes != null);
    TrainingJob job;
    PodEnv pod;
    try {
      if (localGang) {
        pod = localGang();
        job = localJob(List.of("resources.nodes=" + pod.nodes(), "resources.processesPerNode=" + pod.processesPerNode()));
        if (pod.processesPerNode() > 1) {
          return launch(new PodEnv(job.checkpointDir().resolve(TrainerConfig.FILE), pod.nodeRank(), pod.nodes(),
              pod.processesPerNode(), 0, pod.masterAddr(), pod.masterPort(), localRunId(job), pod.controlPlaneUrl(),
              pod.controlPlaneToken(), job.checkpointDir(), 1));
        }
      } else if (specFile != null) {
        pod = null;
        job = localJob(List.of());
      } else {
        pod = podEnv();
        if (pod.processesPerNode() > 1 && !System.getenv().containsKey(PodEnv.RANK)) {
          return launch(pod);
        }
        job = podJob(pod);
      }
    } catch (IllegalArgumentException | UncheckedIOException e) {
      return fail(ExitCodes.INVALID_CONFIG, e.getMessage());
    } catch (NoSuchFileException e) {
      return fail(ExitCodes.INVALID_CONFIG, "file not found: " + e.getMessage());
    } catch (IOException e) {
      return fail(ExitCodes.IO_ERROR, "cannot prepare the run directory: " + e);
    }
    int localWorkers = pod == null ? 1 : pod.localWorldSize();
    configureEngine(threads != null ? threads
        : envInt("MM1_THREADS", Math.max(1, Runtime.getRuntime().availableProcessors() / localWorkers)));
    if (pod != null) {
      System.setProperty("mm1.localRank", Integer.toString(pod.localRank())); // its GPU, where there are GPUs
    }
    Collective collective;
    try {
      collective = pod == null || pod.worldSize() == 1 ? new SingleProcess() : join(pod, job);
    } catch (RendezvousException e) {
      return fail(e.retryable() ? ExitCodes.PEER_LOST : ExitCodes.INVALID_CONFIG, e.getMessage());
    } catch (IOException | UncheckedIOException e) {
      return fail(ExitCodes.PEER_LOST, "the rendezvous failed: " + e.getMessage());
    }
    return train(job, collective, processStart);
  }

  /** Runs the trainer on this rank; the collective is closed (or told why this rank fails) at the end. */
  private int train(TrainingJob job, Collective collective, Instant processStart) {
    var trainer = new Trainer(job, collective, System.err, processStart, dataThreads);
    var finished = new CountDownLatch(1);
    var main = Thread.currentThread();
    if (collective instanceof RingCollective ring) {
      // A lost peer ends the gang: stop at the next micro-batch (at once inside a collective), exit 75.
      ring.onPeerLost(loss -> stopOrHalt(trainer, loss, ExitCodes.PEER_LOST, finished));
    }
    Long launcher = Long.getLong(JavaCommand.LAUNCHER_PID);
    if (launcher != null) {
      // A worker never outlives its launcher (killed with SIGKILL, it cannot stop us itself).
      ProcessHandle.of(launcher).map(ProcessHandle::onExit).orElse(java.util.concurrent.CompletableFuture.completedFuture(null))
          .thenRun(() -> stopOrHalt(trainer, new Trainer.TerminatedException("the launcher (pid " + launcher
              + ") is gone; stopping"), ExitCodes.TERMINATED, finished));
    }
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
    int code;
    String failure;
    try {
      trainer.run();
      code = ExitCodes.OK;
      failure = null;
    } catch (Trainer.TerminatedException e) {
      code = ExitCodes.TERMINATED;
      failure = e.getMessage();
    } catch (PeerLostException e) {
      code = ExitCodes.PEER_LOST;
      failure = e.getMessage();
    } catch (Trainer.ReplicasDifferException e) {
      code = ExitCodes.REPLICAS_DIFFER;
      failure = e.getMessage();
    } catch (Trainer.DivergedException e) {
      code = ExitCodes.DIVERGED;
      failure = e.getMessage();
    } catch (Trainer.IncompatibleCheckpointException e) {
      code = ExitCodes.INCOMPATIBLE_CHECKPOINT;
      failure = e.getMessage();
    } catch (SkipBudgetExceededException e) {
      code = ExitCodes.DATA_ERRORS;
      failure = e.getMessage();
    } catch (IllegalArgumentException | DataPipelineException e) {
      code = ExitCodes.INVALID_CONFIG;
      failure = e.getMessage();
    } catch (IOException | UncheckedIOException e) {
      code = ExitCodes.IO_ERROR;
      failure = e.getMessage();
    } catch (RuntimeException e) {
      collective.abort(String.valueOf(e));
      finished.countDown();
      throw e;
    }
    try {
      if (failure == null) {
        collective.close();
        return code;
      }
      collective.abort(failure + " (exit " + code + ")");
      return fail(code, failure);
    } finally {
      finished.countDown(); // last: a SIGTERM's shutdown hook lets the JVM end once this is counted down
    }
  }

  /**
   * Asks the trainer to stop with {@code reason}; if the main thread is still running after
   * {@link #STOP_GRACE} (a long computation), the process is halted with {@code code}.
   */
  private static void stopOrHalt(Trainer trainer, RuntimeException reason, int code, CountDownLatch finished) {
    trainer.requestStop(reason);
    Thread.ofPlatform().daemon().name("mm1-stop-watchdog").start(() -> {
      try {
        if (!finished.await(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
          System.err.println("mm1 train: " + reason.getMessage() + " (exit " + code + ")");
          Runtime.getRuntime().halt(code);
        }
      } catch (InterruptedException ignored) {
        // the JVM is going down anyway
      }
    });
  }

  private int launch(PodEnv pod) {
    var args = new java.util.ArrayList<String>();
    if (threads != null) {
      args.addAll(List.of("--threads", threads.toString()));
    }
    args.addAll(List.of("--data-threads", Integer.toString(dataThreads)));
    try {
      return new NodeLauncher(pod, TrainCommand.class, args, System.err).run();
    } catch (IOException e) {
      return fail(ExitCodes.IO_ERROR, "cannot start the worker processes: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fail(ExitCodes.TERMINATED, "interrupted while the workers ran");
    }
  }

  private static Collective join(PodEnv pod, TrainingJob job) throws IOException {
    var member = new Rendezvous.Member(pod.rank(), pod.worldSize(), pod.attempt(), Canonical.sha256(job.renderedConfig()));
    return Rendezvous.join(member, pod.masterAddr(), pod.masterPort(), CollectiveSettings.of(job.spec().dataParallel),
        line -> System.err.println("mm1 train: " + line));
  }

  /** The process model of a local gang from the flags; config and checkpoint paths are filled in after rendering. */
  private PodEnv localGang() {
    int perNode = processesPerNode == null ? 1 : processesPerNode;
    int all = nodes == null ? 1 : nodes;
    if (perNode < 1 || all < 1) {
      throw new IllegalArgumentException("--nproc-per-node and --nnodes must be at least 1");
    }
    if (nodeRank < 0 || nodeRank >= all) {
      throw new IllegalArgumentException("--node-rank " + nodeRank + " must be in [0, " + (all - 1) + "] for --nnodes " + all);
    }
    var reporting = envReporting(null);
    return new PodEnv(Path.of(TrainerConfig.FILE), nodeRank, all, perNode, 0, masterAddr, masterPort,
        reporting == null ? "local" : reporting.runId(), reporting == null ? Optional.empty() : Optional.of(reporting.url()),
        reporting == null ? Optional.empty() : Optional.of(reporting.token()), Path.of("."), 1);
  }

  private static String localRunId(TrainingJob job) {
    return job.reporting() != null ? job.reporting().runId() : "local-" + job.name();
  }

  private static int fail(int code, String message) {
    System.err.println("mm1 train: " + message + " (exit " + code + ")");
    return code;
  }

  private TrainingJob localJob(List<String> processModel) throws IOException {
    var overrides = new java.util.ArrayList<>(sets);
    overrides.addAll(processModel); // validated with the rest: the batch must divide among the workers
    var run = LocalRun.render(specFile, overrides, dataRoot);
    var dir = runDir != null ? runDir : (runsRoot != null ? runsRoot : Path.of("runs")).resolve(run.name());
    var runs = runsRoot != null ? runsRoot : dir.toAbsolutePath().getParent();
    return run.job(dir, runs, envReporting(null));
  }

  private static PodEnv podEnv() {
    try {
      return PodEnv.from(System.getenv());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("pod mode (no -f): " + e.getMessage() + "; to run a spec on this machine use -f SPEC.yaml");
    }
  }

  private static TrainingJob podJob(PodEnv env) throws IOException {
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
