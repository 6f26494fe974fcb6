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
    // Ctrl-C reaches both JVMs; a plain kill of the launcher must not orphan the module's JVM.
    var reaper = new Thread(process::destroy);
    Runtime.getRuntime().addShutdownHook(reaper);
    try {
      return process.waitFor();
    } finally {
      Runtime.getRuntime().removeShutdownHook(reaper);
    }
  }

  @Override
  public String helpFooter() {
    return "Commands marked (not implemented yet) exist in the plan but not yet in their module.";
  }
}
