package dev.mm1.cli;

import java.lang.reflect.InvocationTargetException;
import java.util.List;

/**
 * Runs a subcommand's main class in this JVM: the {@code mm1} image has every module it ships on
 * one classpath, so a second JVM would only double the start-up time and the memory. A command
 * whose main class is not on the classpath belongs to a module the image does not ship.
 */
final class InProcessLauncher implements Launcher {
  private final ClassLoader loader;

  InProcessLauncher(ClassLoader loader) {
    this.loader = loader;
  }

  @Override
  public Availability availability(Subcommand command) {
    try {
      Class.forName(command.mainClass(), false, loader);
      return new Availability.Ready(List.of());
    } catch (ClassNotFoundException | LinkageError e) {
      return new Availability.Unavailable("not in this image",
          "belongs to module " + command.module() + ", which this image does not ship; run it from a checkout with ./mm1");
    }
  }

  /**
   * Calls the command's {@code main}. Our commands end with {@code System.exit(code)}, so this
   * returns only for a main that ends normally (0) or throws (1, a retryable failure for the
   * operator).
   */
  @Override
  public int run(Subcommand command, Availability.Ready ready, List<String> args) throws ReflectiveOperationException {
    var main = Class.forName(command.mainClass(), true, loader).getMethod("main", String[].class);
    try {
      main.invoke(null, (Object) args.toArray(String[]::new));
      return 0;
    } catch (InvocationTargetException e) {
      var cause = e.getCause();
      System.err.println("mm1 " + command.name() + ": " + cause);
      cause.printStackTrace();
      return 1;
    }
  }

  @Override
  public String helpFooter() {
    return "Commands marked (not in this image) run with ./mm1 in a checkout.";
  }
}
