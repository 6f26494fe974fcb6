package dev.mm1.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParseResult;

/**
 * {@code ./mm1}: one entry point for every MM1 command. It parses only the subcommand name and
 * hands the rest of the command line to the module that owns the subcommand (see {@link Subcommand}).
 */
public final class Mm1 {
  static final String VERSION = "mm1 0.1.0-SNAPSHOT";

  private final Launcher launcher;
  /** Whether a command of the help is marked unavailable (its footer then says what the mark means). */
  private boolean anyUnavailable;
  private final Map<CommandSpec, Subcommand> owners = new HashMap<>();
  private final CommandLine commandLine;

  Mm1(Path home, PrintWriter out, PrintWriter err) {
    this(new ModuleLauncher(home), out, err);
  }

  Mm1(Launcher launcher, PrintWriter out, PrintWriter err) {
    this.launcher = launcher;
    var top = CommandSpec.create().name("mm1").mixinStandardHelpOptions(true).version(VERSION);
    top.usageMessage()
        .description(
            "Train and evaluate MM1-style multimodal LLMs, on Kubernetes or on this machine.",
            "Each command belongs to a module; './mm1 COMMAND --help' shows its options.");
    for (var command : Subcommand.ALL) {
      top.addSubcommand(command.name(), spec(command));
    }
    if (anyUnavailable) {
      // The footer explains the marks, so it only appears when a command carries one.
      top.usageMessage().footer("", launcher.helpFooter());
    }
    commandLine = new CommandLine(top)
        .setExpandAtFiles(false)
        .setOut(out)
        .setErr(err)
        .setExecutionStrategy(this::execute);
  }

  public static void main(String[] args) {
    var home = Path.of(System.getProperty("mm1.home", ".")).toAbsolutePath().normalize();
    if (!Files.isRegularFile(home.resolve("pom.xml"))) {
      System.err.println("mm1: mm1.home=" + home + " is not the MM1 repository root; start mm1 through ./mm1");
      System.exit(2);
    }
    var mm1 = new Mm1(home, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
    System.exit(mm1.run(args));
  }

  int run(String... args) {
    return commandLine.execute(args);
  }

  private CommandSpec spec(Subcommand command) {
    var spec = CommandSpec.create().name(command.name());
    owners.put(spec, command);
    var description = command.description();
    if (command.children().isEmpty()) {
      if (launcher.availability(command) instanceof Launcher.Availability.Unavailable unavailable) {
        description += " (" + unavailable.mark() + ")";
        anyUnavailable = true;
      }
      spec.addPositional(PositionalParamSpec.builder()
          .paramLabel("ARGS")
          .arity("0..*")
          .type(List.class)
          .auxiliaryTypes(String.class)
          .description("Options and arguments of the command, passed to module " + command.module() + ".")
          .build());
      // Everything after the command name belongs to the module, --help included.
      spec.parser().unmatchedOptionsArePositionalParams(true);
    } else {
      spec.mixinStandardHelpOptions(true);
      for (var child : command.children()) {
        spec.addSubcommand(child.name(), spec(child));
      }
    }
    spec.usageMessage().description(description);
    return spec;
  }

  private int execute(ParseResult parsed) {
    var help = CommandLine.executeHelpRequest(parsed);
    if (help != null) {
      return help;
    }
    var leaf = parsed;
    while (leaf.hasSubcommand()) {
      leaf = leaf.subcommand();
    }
    var spec = leaf.commandSpec();
    var command = owners.get(spec);
    if (command == null || !command.children().isEmpty()) {
      var err = leaf.commandSpec().commandLine().getErr();
      err.println("mm1: missing command");
      leaf.commandSpec().commandLine().usage(err);
      return CommandLine.ExitCode.USAGE;
    }
    List<String> args = leaf.matchedPositionalValue(0, List.of());
    var out = spec.commandLine().getOut();
    var err = spec.commandLine().getErr();
    return switch (launcher.availability(command)) {
      case Launcher.Availability.Ready ready -> {
        try {
          yield launcher.run(command, ready, args);
        } catch (Exception e) {
          err.println("mm1: could not start " + command.mainClass() + ": " + e.getMessage());
          yield ModuleLauncher.UNAVAILABLE;
        }
      }
      case Launcher.Availability.Unavailable unavailable -> {
        if (args.contains("--help") || args.contains("-h")) {
          spec.commandLine().usage(out);
          out.println();
          out.println(spec.qualifiedName() + " " + unavailable.why());
          yield CommandLine.ExitCode.OK;
        }
        err.println(spec.qualifiedName() + " " + unavailable.why());
        yield ModuleLauncher.UNAVAILABLE;
      }
      case Launcher.Availability.NotBuilt notBuilt -> {
        err.println(spec.qualifiedName() + " " + notBuilt.why());
        yield ModuleLauncher.UNAVAILABLE;
      }
    };
  }
}
