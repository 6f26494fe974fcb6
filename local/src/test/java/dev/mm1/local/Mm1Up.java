package dev.mm1.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * {@code ./mm1 up} as the end-to-end tests run it: the repository's own {@code ./mm1} in a child
 * process with a home, data directory and ports of its own, and what a test needs around it (a
 * client of its API, the control plane's REST API, the processes it started).
 */
final class Mm1Up implements AutoCloseable {
  static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  static final JsonMapper JSON = JsonMapper.builder().build();

  final Path home;
  final Path data;
  final int uiPort = freePort();
  final int apiPort = freePort();
  final int databasePort = freePort();
  final Path stdout;
  final Path stderr;
  private Process process;
  /** Where this start's output begins in the files (they collect every start's). */
  private long outputFrom;
  private KubernetesClient client;
  private final HttpClient http = HttpClient.newHttpClient();

  Mm1Up(Path home, Path data) {
    this.home = home;
    this.data = data;
    this.stdout = home.resolveSibling(home.getFileName() + ".out");
    this.stderr = home.resolveSibling(home.getFileName() + ".err");
  }

  /** {@code ./mm1 up ARGS} in the background. */
  Mm1Up start(String... args) throws IOException {
    // env --default-signal=INT: a test JVM started in the background by a non-interactive shell
    // inherits SIGINT ignored, and so would ./mm1 up, which then never sees the test's Ctrl-C.
    var command = new ArrayList<>(List.of("env", "--default-signal=INT", REPO.resolve("mm1").toString(), "up", "--home", home.toString(), "--data", data.toString(),
        "--port", Integer.toString(uiPort), "--api-port", Integer.toString(apiPort), "--db-port", Integer.toString(databasePort)));
    command.addAll(List.of(args));
    var builder = new ProcessBuilder(command).directory(REPO.toFile())
        .redirectOutput(ProcessBuilder.Redirect.appendTo(stdout.toFile())).redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()));
    // The build is the reactor's; ./mm1 must not start another one in the middle of the tests.
    builder.environment().put("MM1_NO_BUILD", "1");
    outputFrom = Files.exists(stdout) ? Files.size(stdout) : 0;
    process = builder.start();
    return this;
  }

  /** Waits until the platform is up (the banner is out) or the process ended. */
  Mm1Up awaitReady(Duration timeout) throws IOException, InterruptedException {
    var deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      if (output().contains("MM1 platform running on this machine")) {
        return this;
      }
      if (!process.isAlive()) {
        throw new AssertionError("./mm1 up ended with " + process.exitValue() + ": " + Files.readString(stderr));
      }
      Thread.sleep(500);
    }
    throw new AssertionError("./mm1 up was not ready within " + timeout + ": " + Files.readString(stderr));
  }

  /** What this start wrote to stdout so far. */
  String output() throws IOException {
    if (!Files.exists(stdout)) {
      return "";
    }
    var bytes = Files.readAllBytes(stdout);
    return new String(bytes, (int) outputFrom, bytes.length - (int) outputFrom, StandardCharsets.UTF_8);
  }

  int waitFor(Duration timeout) throws InterruptedException {
    assertThat(process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)).as("./mm1 up ended within " + timeout).isTrue();
    return process.exitValue();
  }

  /** Ctrl-C: SIGINT to the launcher and its module JVM, as the terminal sends it to the foreground group. */
  int interrupt(Duration timeout) throws IOException, InterruptedException {
    var targets = new ArrayList<Long>(List.of(process.pid()));
    process.descendants().filter(p -> commandLine(p).contains(UpCommand.class.getName()))
        .forEach(p -> targets.add(p.pid()));
    for (var pid : targets) {
      new ProcessBuilder("kill", "-INT", Long.toString(pid)).start().waitFor();
    }
    return waitFor(timeout);
  }

  KubernetesClient client() throws IOException {
    if (client == null) {
      client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(home.resolve("kubeconfig")))).build();
    }
    return client;
  }

  URI controlPlane() {
    return URI.create("http://127.0.0.1:" + uiPort);
  }

  /** GET of the control plane's REST API (anonymous reads are on locally). */
  JsonNode get(String path) throws IOException, InterruptedException {
    var response = http.send(HttpRequest.newBuilder(controlPlane().resolve(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  /** A metric series of a run: steps to values. */
  java.util.SortedMap<Long, Double> series(String runId, String name) throws IOException, InterruptedException {
    var series = get("/api/v1/runs/" + runId + "/metrics?maxPoints=100000&name=" + java.net.URLEncoder.encode(name, StandardCharsets.UTF_8));
    var points = new java.util.TreeMap<Long, Double>();
    var steps = series.get(0).path("steps");
    var values = series.get(0).path("values");
    for (int i = 0; i < steps.size(); i++) {
      assertThat(points.put(steps.get(i).asLong(), values.get(i).asDouble())).as("step %s of %s appears once", steps.get(i), name).isNull();
    }
    return points;
  }

  /** The processes on this machine whose command line and environment match. */
  static List<ProcessHandle> processes(Predicate<String> commandLine, Predicate<String> environment) {
    var found = new ArrayList<ProcessHandle>();
    ProcessHandle.allProcesses().forEach(p -> {
      try {
        if (!commandLine.test(commandLine(p))) {
          return;
        }
        var environ = new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "environ")), StandardCharsets.UTF_8);
        if (environment.test(environ)) {
          found.add(p);
        }
      } catch (IOException e) {
        // gone, or not ours
      }
    });
    return found;
  }

  /** A process's command line from /proc: ProcessHandle.Info cuts long ones (class paths) short. */
  static String commandLine(ProcessHandle process) {
    try {
      return new String(Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
    } catch (IOException e) {
      return "";
    }
  }

  /** The node's processes of this platform (every pod's), by the marker the kubelet puts into their environment. */
  List<ProcessHandle> podProcesses() {
    return processes(line -> true, environ -> environ.contains("MM1_LOCAL_NODE=" + home.resolve("node-state") + "\0"));
  }

  Optional<ProcessHandle> operator() {
    return processes(line -> line.contains(LocalOperator.class.getName()), environ -> environ.contains(home.resolve("kubeconfig").toString()))
        .stream().findFirst();
  }

  static void synthesize(Path data) throws IOException, InterruptedException {
    var process = new ProcessBuilder(REPO.resolve("mm1").toString(), "data", "synth", "--out", data.resolve("shapes").toString(), "--seed", "1",
            "--size", UpCommand.CORPUS_SIZE)
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    process.environment().put("MM1_NO_BUILD", "1");
    var started = process.start();
    assertThat(started.waitFor(10, TimeUnit.MINUTES)).isTrue();
    assertThat(started.exitValue()).isZero();
  }

  static int freePort() {
    try (var socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws Exception {
    if (client != null) {
      client.close();
    }
    if (process != null && process.isAlive()) {
      interrupt(Duration.ofMinutes(2));
    }
  }
}
