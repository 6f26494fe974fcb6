package dev.mm1.trainer.launch;

import dev.mm1.api.PodEnv;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The pod's entrypoint when it runs several workers (torchrun's role): starts NPROC_PER_NODE
 * worker JVMs, each with its RANK, LOCAL_RANK, WORLD_SIZE and LOCAL_WORLD_SIZE, and watches them.
 * When one exits with an error the others are stopped (SIGTERM, then SIGKILL after a grace
 * period) and the launcher exits with that worker's code, so the pod fails the way its first
 * failed worker did. A SIGTERM to the launcher reaches every worker; a worker that sees its
 * launcher vanish stops itself.
 */
public final class NodeLauncher {
  /** How long stopped workers get to exit on SIGTERM before they are killed. */
  static final Duration GRACE = Duration.ofSeconds(30);

  private final PodEnv pod;
  private final Class<?> workerMain;
  private final List<String> workerArgs;
  private final PrintStream err;

  /**
   * @param pod this pod's variables (the per-process ones are set for each worker)
   * @param workerMain the workers' main class
   * @param workerArgs the workers' arguments
   */
  public NodeLauncher(PodEnv pod, Class<?> workerMain, List<String> workerArgs, PrintStream err) {
    this.pod = pod;
    this.workerMain = workerMain;
    this.workerArgs = workerArgs;
    this.err = err;
  }

  /** Starts the workers and returns the pod's exit code once all have exited. */
  public int run() throws IOException, InterruptedException {
    var command = JavaCommand.of(workerMain, List.of(JavaCommand.LAUNCHER_PID + "=" + ProcessHandle.current().pid()),
        workerArgs);
    var workers = new ArrayList<Process>();
    var exits = new LinkedBlockingQueue<Integer>();
    var hook = new Thread(() -> stop(workers, -1));
    Runtime.getRuntime().addShutdownHook(hook); // SIGTERM to the pod reaches every worker
    try {
      for (int local = 0; local < pod.processesPerNode(); local++) {
        var worker = pod.forProcess(local);
        var builder = new ProcessBuilder(command).inheritIO();
        PodEnv.ALL_NAMES.forEach(builder.environment()::remove); // only this worker's contract, nothing stale
        builder.environment().putAll(worker.toEnv());
        var process = builder.start();
        workers.add(process);
        int index = local;
        process.onExit().thenRun(() -> exits.add(index));
      }
      err.println("mm1 train: node " + pod.nodeRank() + " of " + pod.nodes() + " started " + workers.size()
          + " workers (ranks " + pod.forProcess(0).rank() + ".." + pod.forProcess(workers.size() - 1).rank() + " of "
          + pod.worldSize() + ")");
      Integer failure = null;
      for (int left = workers.size(); left > 0; left--) {
        int local = exits.take();
        int code = workers.get(local).exitValue();
        if (code != 0 && failure == null) {
          failure = code;
          err.println("mm1 train: worker rank " + pod.forProcess(local).rank() + " (pid " + workers.get(local).pid()
              + ") exited with code " + code + describe(code) + "; stopping the other workers of this node");
          stop(workers, local);
        }
      }
      return failure == null ? 0 : failure;
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException ignored) {
        // the JVM is already shutting down: the hook runs
      }
    }
  }

  private static String describe(int code) {
    return code > 128 && code < 160 ? " (signal " + (code - 128) + ")" : "";
  }

  /** SIGTERM to every live worker but {@code except}, then SIGKILL to those still alive after the grace period. */
  private static void stop(List<Process> workers, int except) {
    var alive = new ArrayList<Process>();
    for (int i = 0; i < workers.size(); i++) {
      if (i != except && workers.get(i).isAlive()) {
        workers.get(i).destroy();
        alive.add(workers.get(i));
      }
    }
    long deadline = System.nanoTime() + GRACE.toNanos();
    for (var worker : alive) {
      try {
        if (!worker.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          worker.destroyForcibly();
        }
      } catch (InterruptedException e) {
        worker.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
