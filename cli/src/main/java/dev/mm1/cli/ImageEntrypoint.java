package dev.mm1.cli;

import java.io.PrintWriter;

/**
 * The entrypoint of the {@code mm1} container image: {@code mm1 train}, {@code mm1 eval},
 * {@code mm1 score}, {@code mm1 gate}, ... with the same command table as {@code ./mm1}, each
 * command run in this JVM ({@link InProcessLauncher}). The operator's pods pass {@code train} or
 * {@code eval} as the container's arguments.
 */
public final class ImageEntrypoint {
  private ImageEntrypoint() {}

  public static void main(String[] args) {
    var mm1 = new Mm1(new InProcessLauncher(ImageEntrypoint.class.getClassLoader()),
        new PrintWriter(System.out, true), new PrintWriter(System.err, true));
    System.exit(mm1.run(args));
  }
}
