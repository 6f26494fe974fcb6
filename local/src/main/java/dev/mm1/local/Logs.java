package dev.mm1.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.FileHandler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Logging of the processes of {@code ./mm1 up}: into a file, not the terminal (which shows the
 * progress). The operator and the mock server's libraries log through JBoss LogManager when it is on
 * the class path; it must be the JUL manager before anything logs, so this runs first in main.
 */
final class Logs {
  private Logs() {}

  /** JVM options of the platform's own Java processes (Netty and protobuf use sun.misc.Unsafe; JDK 24+ warns). */
  static final java.util.List<String> JVM_OPTIONS = java.util.List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow");

  /** Called first in a main method: makes JBoss LogManager (if present) the JUL manager. */
  static void prepareJvm() {
    try {
      Class.forName("org.jboss.logmanager.LogManager", false, Logs.class.getClassLoader());
      System.setProperty("java.util.logging.manager", "org.jboss.logmanager.LogManager");
    } catch (ClassNotFoundException e) {
      // plain JUL
    }
  }

  /** Sends every log record at INFO and above to {@code file} instead of the console. */
  static void toFile(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    var root = LogManager.getLogManager().getLogger("");
    for (var handler : root.getHandlers()) {
      root.removeHandler(handler);
    }
    var handler = new FileHandler(file.toString(), true);
    handler.setFormatter(new SimpleFormatter());
    handler.setLevel(Level.INFO);
    root.addHandler(handler);
    root.setLevel(Level.INFO);
    // The mock server logs every request at INFO.
    Logger.getLogger("io.fabric8.kubernetes.client.server.mock").setLevel(Level.WARNING);
    Logger.getLogger("io.fabric8.mockwebserver").setLevel(Level.WARNING);
  }
}
