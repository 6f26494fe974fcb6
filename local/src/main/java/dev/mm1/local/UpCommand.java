package dev.mm1.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./mm1 up}: the whole platform on this machine, with the same orchestration as a cluster
 * (the operator's), and the sample chain on it: pre-training on 2 nodes, SFT, gated eval.
 */
@Command(name = "up", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Run the MM1 platform on this machine and the sample chain on it.",
        "",
        "Starts a local Kubernetes API (kubectl works: KUBECONFIG=~/.mm1/kubeconfig), a node agent that runs",
        "pods as local processes (./mm1 train, ./mm1 eval), the control plane with its web UI on an embedded",
        "PostgreSQL, and the operator. Then, unless --no-samples, writes the shapes-world data if missing and",
        "applies manifests/samples tiny-pretrain (2 nodes), tiny-sft and tiny-eval in order, with a progress",
        "line per run. Keeps serving until Ctrl-C, which stops everything cleanly. Everything is kept under",
        "--home: running it again reuses what is done.",
        "",
        "--once: exit after the chain with 0 when the eval's gate passed, 1 when not; the last line of",
        "stdout is one JSON object (verdict, wall time and where it went, the platform's overhead)."},
    footer = {"", "Examples:", "  ./mm1 up", "  ./mm1 up --once",
        "  ./mm1 up --once --set tiny-pretrain:optimization.steps=40 --set tiny-sft:optimization.steps=20"})
public final class UpCommand implements Callable<Integer> {
  @Option(names = "--once", description = "Exit after the sample chain: 0 when the gate passed, 1 when not.")
  boolean once;

  @Option(names = "--no-samples", description = "Start the platform only; apply nothing.")
  boolean noSamples;

  @Option(names = "--home", paramLabel = "DIR", description = "Where the platform keeps its state (default ~/.mm1).")
  Path home;

  @Option(names = "--data", paramLabel = "DIR", description = "The local data directory, the pods' /data (default ./data of the repository).")
  Path data;

  @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080", description = "Control plane and UI port (default ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--api-port", paramLabel = "PORT", defaultValue = "7443", description = "Kubernetes API port (default ${DEFAULT-VALUE}).")
  int apiPort;

  @Option(names = "--db-port", paramLabel = "PORT", defaultValue = "54329", description = "Embedded PostgreSQL port (default ${DEFAULT-VALUE}).")
  int databasePort;

  @Option(names = "--node-cpus", paramLabel = "N", description = "CPUs the local node offers to pods (default: this machine's, at least 4).")
  Integer nodeCpus;

  @Option(names = "--node-memory", paramLabel = "QUANTITY", description = "Memory the local node offers to pods, e.g. 16Gi (default: this machine's).")
  String nodeMemory;

  @Option(names = "--set", paramLabel = "SAMPLE:FIELD=VALUE",
      description = "Change a sample's spec before it is applied, e.g. tiny-pretrain:optimization.steps=40 (repeatable).")
  List<String> overrides = List.of();

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "PT6H",
      description = "With --once: give up on the chain after this long (ISO-8601, default ${DEFAULT-VALUE}).")
  Duration timeout;

  private final PrintStream out = System.out;
  private final PrintStream err = System.err;

  public static void main(String[] args) {
    Logs.prepareJvm();
    System.setProperty("java.awt.headless", "true");
    var command = new CommandLine(new UpCommand());
    command.setExecutionExceptionHandler((e, line, parsed) -> {
      System.err.println("mm1 up: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
      return 2;
    });
    int code;
    try {
      code = command.execute(args);
    } catch (Throwable e) {
      // Whatever went wrong, the exit runs the shutdown hook, which stops every process started.
      System.err.println("mm1 up: " + e);
      code = 2;
    }
    System.exit(code);
  }

  @Override
  public Integer call() throws Exception {
    var started = Instant.now();
    var repo = Path.of(System.getProperty("mm1.home", ".")).toAbsolutePath().normalize();
    if (!Files.exists(repo.resolve("manifests/samples")) || !Files.exists(repo.resolve("mm1"))) {
      err.println("mm1 up: " + repo + " is not the MM1 repository (no manifests/samples, no ./mm1); start it with ./mm1 up");
      return 2;
    }
    if (!noSamples) {
      try {
        new SampleChain(null, repo.resolve("manifests/samples"), overrides, null, once).checkOverrides();
      } catch (IllegalArgumentException e) {
        err.println("mm1 up: " + e.getMessage());
        return 2;
      }
    }
    var localHome = new LocalHome((home != null ? home : Path.of(System.getProperty("user.home"), ".mm1")).toAbsolutePath());
    var dataDir = (data != null ? data : repo.resolve("data")).toAbsolutePath();
    Files.createDirectories(localHome.logs());
    Logs.toFile(localHome.logs().resolve("up.log"));
    var board = new ProgressBoard(err, ProgressBoard.onTerminal());
    int cpus = nodeCpus != null ? nodeCpus : Math.max(4, Runtime.getRuntime().availableProcessors());
    long memory = nodeMemory != null ? io.fabric8.kubernetes.api.model.Quantity.getAmountInBytes(
        new io.fabric8.kubernetes.api.model.Quantity(nodeMemory)).longValue() : physicalMemory();
    var options = new LocalPlatform.Options(repo, localHome, dataDir, port, apiPort, databasePort, cpus, memory);

    err.println("mm1 up: starting the local platform in " + localHome.dir() + " ...");
    var stopped = new CountDownLatch(1);
    var platformRef = new java.util.concurrent.atomic.AtomicReference<LocalPlatform>();
    var shutdown = new Thread(() -> {
      var platform = platformRef.get();
      if (platform != null) {
        err.println("mm1 up: stopping (pods get SIGTERM and report, then the control plane and the API server stop) ...");
        platform.close();
        err.println("mm1 up: stopped; state kept in " + localHome.dir());
      }
      stopped.countDown();
    }, "mm1-up-stop");
    Runtime.getRuntime().addShutdownHook(shutdown);

    // The data is written while the platform starts (both take seconds; neither needs the other).
    java.util.concurrent.CompletableFuture<Double> data = java.util.concurrent.CompletableFuture.completedFuture(0.0);
    if (!noSamples && !synthesized(dataDir)) {
      board.notice("mm1 up: writing the shapes-world data to " + dataDir.resolve("shapes") + " (./mm1 data synth) ...");
      data = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        var dataStart = Instant.now();
        try {
          synthesize(repo, dataDir);
        } catch (IOException | InterruptedException e) {
          throw new java.util.concurrent.CompletionException(e);
        }
        return Duration.between(dataStart, Instant.now()).toMillis() / 1000.0;
      });
    }
    var platform = LocalPlatform.start(options, board::notice);
    platformRef.set(platform);
    var ready = Instant.now();
    banner(platform, localHome);

    int code = 0;
    if (!noSamples) {
      double dataSeconds;
      try {
        dataSeconds = data.join();
      } catch (java.util.concurrent.CompletionException e) {
        throw e.getCause() instanceof Exception cause ? cause : e;
      }
      var chain = new SampleChain(platform.client(), repo.resolve("manifests/samples"), overrides, board, once);
      var outcomes = chain.run(once ? timeout : Duration.ofDays(3650));
      var token = Files.exists(localHome.tokens())
          ? com.fasterxml.jackson.databind.json.JsonMapper.builder().build().readTree(Files.readString(localHome.tokens())).path("operator").asText()
          : "";
      var summary = new ChainReport(platform.client(), platform.uiUrl(), token).report(outcomes, started, ready, dataSeconds, out);
      code = summary.path("exitCode").asInt(1);
      if (once) {
        out.println(summary);
        out.flush();
      }
    }
    if (once) {
      Runtime.getRuntime().removeShutdownHook(shutdown);
      shutdown.run();
      return code;
    }
    err.println("mm1 up: serving; Ctrl-C stops everything (state is kept)");
    stopped.await();
    return code;
  }

  private void banner(LocalPlatform platform, LocalHome localHome) {
    out.println();
    out.println("MM1 platform running on this machine");
    out.println("  UI         " + platform.uiUrl() + "   (sign in with the admin token in " + localHome.adminToken() + " to start or stop runs)");
    out.println("  kubectl    export KUBECONFIG=" + localHome.kubeconfig());
    out.println("             kubectl get mm1t -w        kubectl describe mm1t tiny-pretrain");
    out.println("             kubectl apply -f manifests/samples/tiny-pretrain.yaml   kubectl delete mm1t NAME   kubectl logs POD");
    out.println("  API        " + platform.apiUrl() + "   (local Kubernetes API, no auth, 127.0.0.1 only)");
    out.println("  logs       " + localHome.logs() + "   (control plane, operator, API server)");
    out.println();
    out.flush();
  }

  /**
   * The corpus the samples are tuned on: the medium size. On the small one (256 captions, 128
   * conversations) the tiny model memorises the SFT conversations instead of learning to answer
   * from the image (measured: VQA accuracy 32.0 with the images, 30.5 image-blind).
   */
  static final String CORPUS_SIZE = "medium";

  /** Whether DATA/shapes holds the corpus of {@link #synthesize} (an older, smaller one is written again). */
  static boolean synthesized(Path dataDir) {
    var summary = dataDir.resolve("shapes/corpus.json");
    try {
      return Files.exists(summary)
          && CORPUS_SIZE.equals(new ObjectMapper().readTree(summary.toFile()).path("size").asText());
    } catch (IOException e) {
      return false; // unreadable: write it again
    }
  }

  /** ./mm1 data synth --out DATA/shapes --seed 1 --size medium, as the samples expect it. */
  private void synthesize(Path repo, Path dataDir) throws IOException, InterruptedException {
    Files.createDirectories(dataDir);
    var process = new ProcessBuilder(repo.resolve("mm1").toString(), "data", "synth", "--out", dataDir.resolve("shapes").toString(), "--seed", "1",
            "--size", CORPUS_SIZE)
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    process.environment().put("MM1_NO_BUILD", "1");
    var started = process.start();
    if (!started.waitFor(10, TimeUnit.MINUTES) || started.exitValue() != 0) {
      throw new IOException("./mm1 data synth failed (exit " + (started.isAlive() ? "timeout" : started.exitValue())
          + "); run it yourself to see why: ./mm1 data synth --out " + dataDir.resolve("shapes") + " --seed 1 --size " + CORPUS_SIZE);
    }
  }

  private static long physicalMemory() {
    var bean = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    if (bean instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getTotalMemorySize();
    }
    return 16L << 30;
  }
}
