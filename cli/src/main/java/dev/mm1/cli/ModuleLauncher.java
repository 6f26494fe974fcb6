package dev.mm1.cli;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a subcommand's main class in its own JVM on its module's runtime classpath, so that each
 * module keeps its own dependencies (the CLI never loads libtorch or Quarkus itself).
 */
final class ModuleLauncher implements Launcher {
  /** Exit code when the command exists in the table but its module cannot run it yet. */
  static final int UNAVAILABLE = 3;
  /** How long a stopped launcher waits for its module's JVM to finish stopping. */
  static final long STOP_TIMEOUT_SECONDS = 90;

  private final Path home;

  ModuleLauncher(Path home) {
    this.home = home;
  }

  @Override
  public Availability availability(Subcommand command) {
    var module = home.resolve(command.module());
    var relative = command.mainClass().replace('.', '/');
    var compiled = module.resolve("target/classes").resolve(relative + ".class");
    var source = module.resolve("src/main/java").resolve(relative + ".java");
    if (!Files.exists(source) && !Files.exists(compiled)) {
      return new Availability.Unavailable("not implemented yet",
          "belongs to module " + command.module() + ", which does not implement it yet ("
              + command.mainClass() + " does not exist).");
    }
    var classpathFile = module.resolve("target/mm1-classpath.txt");
    if (!Files.exists(compiled) || !Files.exists(classpathFile)) {
      return new Availability.NotBuilt(
          "belongs to module " + command.module() + ", which is not built; run: ./mvnw -pl " + command.module()
              + " -am install -DskipTests");
    }
    var classpath = new ArrayList<String>();
    classpath.add(module.resolve("target/classes").toString());
    try {
      for (var entry : Files.readString(classpathFile).strip().split(File.pathSeparator)) {
        if (!entry.isBlank()) {
          classpath.add(entry);
        }
      }
    } catch (IOException e) {
      return new Availability.NotBuilt("cannot start: reading " + classpathFile + " failed: " + e.getMessage());
    }
    return new Availability.Ready(classpath);
  }

  /** The child JVM's command line. */
  List<String> commandLine(Subcommand command, List<String> classpath, List<String> args) {
    var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    var line = new ArrayList<String>();
    line.add(java);
    line.add("--enable-native-access=ALL-UNNAMED");
    // Netty (Vert.x, Quarkus) and protobuf use sun.misc.Unsafe; JDK 24+ would warn on the terminal.
    line.add("--sun-misc-unsafe-memory-access=allow");
    line.add("-Dmm1.home=" + home);
    line.add("-cp");
    line.add(String.join(File.pathSeparator, classpath));
    line.add(command.mainClass());
    line.addAll(args);
    return line;
  }

  /** Runs the command with this process's terminal and returns its exit code. */
  @Override
  public int run(Subcommand command, Availability.Ready ready, List<String> args) throws IOException, InterruptedException {
    var process = new ProcessBuilder(commandLine(command, ready.classpath(), args)).inheritIO().start();
    // Ctrl-C reaches both JVMs; a plain kill of the launcher must not orphan the module's JVM. The
    // launcher waits for the module to finish stopping (./mm1 up stops pods and servers in order;
    // a pod's exit code is its module's), and gives up after STOP_TIMEOUT_SECONDS.
    var reaper = new Thread(() -> {
      process.destroy();
      try {
        process.waitFor(STOP_TIMEOUT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    Runtime.getRuntime().addShutdownHook(reaper);
    try {
      return process.waitFor();
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(reaper);
      } catch (IllegalStateException stopping) {
        // the launcher is being stopped: the hook is running, nothing to remove
      }
    }
  }

  @Override
  public String helpFooter() {
    return "Commands marked (not implemented yet) exist in the plan but not yet in their module.";
  }
}
