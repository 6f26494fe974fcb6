package dev.mm1.trainer.launch;

import dev.mm1.api.PodEnv;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A worker for launcher tests: writes the process model it was given to {@code DIR/rank-R}, then
 * exits with {@code CODE} if its rank is {@code FAILING}, else waits until it is stopped.
 * Arguments: DIR FAILING CODE.
 */
public final class FakeWorker {
  private FakeWorker() {}

  public static void main(String[] args) throws Exception {
    var env = System.getenv();
    var rank = env.get(PodEnv.RANK);
    Files.writeString(Path.of(args[0]).resolve("rank-" + rank), String.join(" ", env.get(PodEnv.RANK),
        env.get(PodEnv.LOCAL_RANK), env.get(PodEnv.WORLD_SIZE), env.get(PodEnv.LOCAL_WORLD_SIZE),
        env.get(PodEnv.NODE_RANK), System.getProperty(JavaCommand.LAUNCHER_PID)));
    if (rank.equals(args[1])) {
      Thread.sleep(500);
      System.exit(Integer.parseInt(args[2]));
    }
    Thread.sleep(120_000);
  }
}
