package dev.mm1.cli;

import java.util.List;

/**
 * How {@code mm1} starts a subcommand's main class: in a JVM of its own on its module's classpath
 * ({@link ModuleLauncher}, {@code ./mm1} in a checkout), or in this JVM ({@link InProcessLauncher},
 * the {@code mm1} container image, whose classpath holds every module it ships).
 */
interface Launcher {
  /** Whether a subcommand can run now, and if not, what the user should know. */
  sealed interface Availability {
    /** Runnable; {@code classpath} is what a new JVM needs (empty when the command runs in this JVM). */
    record Ready(List<String> classpath) implements Availability {}

    /**
     * Not runnable here at all.
     *
     * @param mark the words after the command's description in {@code mm1 --help}
     * @param why one sentence saying why, printed when the command is called
     */
    record Unavailable(String mark, String why) implements Availability {}

    /** Runnable once its module is built. */
    record NotBuilt(String why) implements Availability {}
  }

  Availability availability(Subcommand command);

  /** Runs a {@link Availability.Ready} command and returns its exit code. */
  int run(Subcommand command, Availability.Ready ready, List<String> args) throws Exception;

  /** The last line of {@code mm1 --help}: what the marks of unavailable commands mean. */
  String helpFooter();
}
