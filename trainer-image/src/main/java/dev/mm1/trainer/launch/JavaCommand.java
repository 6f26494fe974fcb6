package dev.mm1.trainer.launch;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of another JVM like this one: the same {@code java}, JVM options and class
 * path, running {@code mainClass}. Worker processes and benchmark peers start this way, so they
 * get the memory limit, native-access and DJL settings the user gave the first JVM.
 */
public final class JavaCommand {
  /** Set on a worker's command line: the pid of the launcher it must not outlive. */
  public static final String LAUNCHER_PID = "mm1.launcherPid";

  private JavaCommand() {}

  /**
   * @param properties extra {@code -Dname=value} settings for the new JVM
   * @param args the main class's arguments
   */
  public static List<String> of(Class<?> mainClass, List<String> properties, List<String> args) {
    var line = new ArrayList<String>();
    line.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (var option : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      // A debugger's port can be taken once, and our own per-process settings are set afresh below.
      if (option.startsWith("-agentlib:jdwp") || option.startsWith("-Xrunjdwp") || option.startsWith("-D" + LAUNCHER_PID + "=")) {
        continue;
      }
      line.add(option);
    }
    for (var property : properties) {
      line.add("-D" + property);
    }
    line.add("-cp");
    line.add(String.join(File.pathSeparator, System.getProperty("java.class.path").split(File.pathSeparator)));
    line.add(mainClass.getName());
    line.addAll(args);
    return line;
  }
}
