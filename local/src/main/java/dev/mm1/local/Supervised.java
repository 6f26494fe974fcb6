package dev.mm1.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * A platform process of {@code ./mm1 up} (the control plane, the operator), kept running the way a
 * Deployment keeps its pod running: started in a session of its own (a Ctrl-C in the terminal
 * reaches {@code ./mm1 up}, which stops everything in order), its output appended to a log file,
 * and started again when it exits while it should run, after a back-off that grows from 1 s to 30 s
 * (reset after a minute of running).
 */
final class Supervised implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Supervised.class.getName());
  private static final boolean SETSID = Files.isExecutable(Path.of("/usr/bin/setsid")) || Files.isExecutable(Path.of("/bin/setsid"));

  private final String name;
  private final List<String> command;
  private final Map<String, String> env;
  private final Path log;
  private final Consumer<String> notice;
  private volatile Process process;
  private volatile boolean stopping;
  private volatile int starts;
  private Thread watcher;

  Supervised(String name, List<String> command, Map<String, String> env, Path log, Consumer<String> notice) {
    this.name = name;
    this.command = List.copyOf(command);
    this.env = Map.copyOf(env);
    this.log = log;
    this.notice = notice;
  }

  /** Starts the process and keeps it running until {@link #close()}. */
  synchronized void start() throws IOException {
    Files.createDirectories(log.getParent());
    process = launch();
    watcher = Thread.ofPlatform().name("supervise-" + name).daemon().start(this::supervise);
  }

  private Process launch() throws IOException {
    var line = new java.util.ArrayList<String>();
    if (SETSID) {
      line.add("setsid");
    }
    line.addAll(command);
    var builder = new ProcessBuilder(line).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().putAll(env);
    starts++;
    Files.writeString(log, "---- " + Instant.now() + " starting " + name + " (start " + starts + ")\n",
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    return builder.start();
  }

  private void supervise() {
    var backoff = Duration.ofSeconds(1);
    while (!stopping) {
      var current = process;
      var started = Instant.now();
      int code;
      try {
        code = current.waitFor();
      } catch (InterruptedException e) {
        return;
      }
      if (stopping) {
        return;
      }
      if (Duration.between(started, Instant.now()).compareTo(Duration.ofMinutes(1)) > 0) {
        backoff = Duration.ofSeconds(1);
      }
      var wait = backoff;
      notice.accept(name + " exited with code " + code + "; starting it again in " + wait.toSeconds() + " s (log: " + log + ")");
      try {
        Thread.sleep(wait.toMillis());
        synchronized (this) {
          if (stopping) {
            return;
          }
          process = launch();
        }
      } catch (InterruptedException e) {
        return;
      } catch (IOException e) {
        LOG.warning(() -> "restarting " + name + " failed: " + e.getMessage());
      }
      backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(30)) > 0 ? Duration.ofSeconds(30) : backoff.multipliedBy(2);
    }
  }

  int starts() {
    return starts;
  }

  /** SIGTERM, then SIGKILL if it has not exited within {@code grace}. */
  void stop(Duration grace) {
    Process current;
    synchronized (this) {
      stopping = true;
      current = process;
    }
    if (watcher != null) {
      watcher.interrupt();
    }
    if (current == null || !current.isAlive()) {
      return;
    }
    current.destroy();
    try {
      if (!current.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        current.descendants().forEach(ProcessHandle::destroyForcibly);
        current.destroyForcibly();
        current.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop(Duration.ofSeconds(30));
  }
}
