package dev.mm1.evaluator;

import picocli.CommandLine;

/** What the evaluator's commands share: exit codes for bad arguments, bad input and surprises. */
final class Commands {
  private Commands() {}

  /**
   * Invalid arguments and {@link InvalidInputException}s become one line on stderr and
   * {@link ExitCodes#INVALID}; anything else is a bug: its stack trace and {@link ExitCodes#INTERNAL}.
   */
  static CommandLine configure(CommandLine line, String name) {
    line.setExitCodeExceptionMapper(exception -> ExitCodes.INTERNAL);
    line.setParameterExceptionHandler((exception, args) -> {
      var commandLine = exception.getCommandLine();
      commandLine.getErr().println(name + ": " + exception.getMessage());
      commandLine.getErr().println("see './mm1 " + commandLine.getCommandSpec().qualifiedName() + " --help'");
      commandLine.getErr().flush();
      return ExitCodes.INVALID;
    });
    line.setExecutionExceptionHandler((exception, commandLine, parseResult) -> {
      if (exception instanceof InvalidInputException) {
        commandLine.getErr().println(name + ": " + exception.getMessage());
        commandLine.getErr().flush();
        return ExitCodes.INVALID;
      }
      commandLine.getErr().println(name + ": internal error (a bug; please report it): " + exception);
      exception.printStackTrace(commandLine.getErr());
      commandLine.getErr().flush();
      return ExitCodes.INTERNAL;
    });
    return line;
  }
}
