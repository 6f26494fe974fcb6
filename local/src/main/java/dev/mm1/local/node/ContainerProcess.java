package dev.mm1.local.node;

import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * A container as local processes: its command started in a session and process group of its own
 * (when {@code setsid} exists), output appended to its log file. Stopping signals the whole group,
 * so the {@code ./mm1} launcher and the JVM it starts stop together, and when the main process
 * ends whatever is left of its group is killed (a container's processes end with it).
 * Every process carries {@link #MARKER} in its environment, so that a node started after a crash
 * finds the processes of the previous one and stops them ({@link #killLeftovers}).
 */
final class ContainerProcess {
  private static final Logger LOG = Logger.getLogger(ContainerProcess.class.getName());
  /** Environment variable naming the node that started a process (its state directory). */
  static final String MARKER = "MM1_LOCAL_NODE";
  private static final boolean SETSID = Files.isExecutable(Path.of("/usr/bin/setsid")) || Files.isExecutable(Path.of("/bin/setsid"));

  final String name;
  final String namespace;
  final String podName;
  final String host;
  final Path directory;
  final Instant started;
  private final Process process;
  volatile boolean stopping;
  volatile boolean reported;
  volatile boolean runningReported;
  private volatile Instant killAt;
  private volatile Instant finished;

  private ContainerProcess(String name, Pod pod, Path directory, Process process) {
    this.name = name;
    this.namespace = pod.getMetadata().getNamespace();
    this.podName = pod.getMetadata().getName();
    var spec = pod.getSpec();
    this.host = spec.getHostname() != null && spec.getSubdomain() != null ? spec.getHostname() + "." + spec.getSubdomain() : podName;
    this.directory = directory;
    this.process = process;
    this.started = Instant.now();
  }

  static ContainerProcess start(String name, PodSandbox.Prepared.Launch launch, NodeConfig node, Pod pod, Runnable onExit) throws IOException {
    var command = new ArrayList<String>();
    if (SETSID) {
      command.add("setsid");
    }
    command.addAll(launch.command());
    var builder = new ProcessBuilder(command).directory(launch.directory().toFile());
    var env = builder.environment();
    var inherited = new java.util.HashMap<>(env);
    env.clear();
    // A container starts from its image's environment, not from the shell that started the node.
    for (var name1 : List.of("PATH", "HOME", "LANG", "LC_ALL", "USER", "TMPDIR", "TZ")) {
      if (inherited.containsKey(name1)) {
        env.put(name1, inherited.get(name1));
      }
    }
    env.put("JAVA_HOME", node.javaHome().toString());
    env.putAll(launch.env());
    env.put(MARKER, node.state().toString());
    builder.redirectErrorStream(true);
    builder.redirectOutput(ProcessBuilder.Redirect.appendTo(launch.log().toFile()));
    var process = builder.start();
    var container = new ContainerProcess(name, pod, launch.directory(), process);
    process.onExit().thenRun(() -> {
      container.finished = Instant.now();
      container.killGroup("KILL"); // what the main process left behind ends with it
      onExit.run();
    });
    return container;
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  boolean exited() {
    return !process.isAlive() && finished != null;
  }

  int exitCode() {
    return process.exitValue();
  }

  Optional<Instant> finished() {
    return Optional.ofNullable(finished);
  }

  /** SIGTERM to the container; {@link #overdue()} after {@code grace}. */
  void terminate(Duration grace) {
    stopping = true;
    killAt = Instant.now().plus(grace);
    killGroup("TERM");
  }

  boolean overdue() {
    return killAt != null && Instant.now().isAfter(killAt);
  }

  /** SIGKILL to the container. */
  void kill() {
    stopping = true;
    killGroup("KILL");
    process.destroyForcibly();
  }

  void awaitExit(Duration timeout) {
    try {
      process.waitFor(Math.max(0, timeout.toMillis()), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void killGroup(String signal) {
    if (SETSID) {
      try {
        new ProcessBuilder("kill", "-s", signal, "--", "-" + process.pid()).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(5, TimeUnit.SECONDS);
        return;
      } catch (IOException e) {
        LOG.fine(() -> "kill -" + signal + " of group " + process.pid() + ": " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    var tree = Stream.concat(process.descendants(), Stream.of(process.toHandle())).toList();
    tree.forEach(p -> {
      if (signal.equals("KILL")) {
        p.destroyForcibly();
      } else {
        p.destroy();
      }
    });
  }

  /**
   * Stops processes that a previous run of the node with state directory {@code state} started and
   * left behind (the node was killed): they would otherwise go on writing to checkpoint directories
   * that new pods now own. Reads /proc; elsewhere there is nothing to find.
   */
  static int killLeftovers(Path state) {
    var proc = Path.of("/proc");
    if (!Files.isDirectory(proc)) {
      return 0;
    }
    var marker = (MARKER + "=" + state + "\0").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    int killed = 0;
    try (var entries = Files.list(proc)) {
      for (var entry : entries.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
        try {
          var environ = Files.readAllBytes(entry.resolve("environ"));
          if (contains(environ, marker)) {
            var pid = Long.parseLong(entry.getFileName().toString());
            if (pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).map(ProcessHandle::destroyForcibly).orElse(false)) {
              killed++;
            }
          }
        } catch (IOException | RuntimeException e) {
          // gone meanwhile, or not ours to read
        }
      }
    } catch (IOException e) {
      LOG.fine(() -> "listing /proc: " + e.getMessage());
    }
    return killed;
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      if (i > 0 && haystack[i - 1] != 0) {
        continue; // variables start after a NUL
      }
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  static void deleteTree(Path directory) throws IOException {
    if (directory == null || !Files.exists(directory)) {
      return;
    }
    try (var walk = Files.walk(directory)) {
      for (var path : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
