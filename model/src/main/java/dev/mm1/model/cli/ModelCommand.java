package dev.mm1.model.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.mm1.model.config.MM1Config;
import dev.mm1.model.config.ParameterCounts;
import dev.mm1.model.config.Presets;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./mm1 model}: describes model presets without allocating any weights. */
@Command(name = "model", mixinStandardHelpOptions = true, description = "Describe model presets: shapes and parameter counts",
    subcommands = {ModelCommand.Info.class, ModelCommand.ListPresets.class})
public final class ModelCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    var line = new CommandLine(new ModelCommand());
    line.setExecutionExceptionHandler((exception, commandLine, parseResult) -> {
      if (exception instanceof IllegalArgumentException) {
        commandLine.getErr().println("mm1 model: " + exception.getMessage());
        return 2;
      }
      throw exception;
    });
    return line;
  }

  /** {@code info --preset NAME}: JSON with the config and its parameter counts per component. */
  @Command(name = "info", mixinStandardHelpOptions = true,
      description = "Print a preset's shapes and total/active parameter counts per component as JSON")
  static final class Info implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--preset", required = true, description = "one of: ${COMPLETION-CANDIDATES}",
        completionCandidates = PresetNames.class)
    String preset;

    @Override
    public Integer call() {
      var config = Presets.get(preset);
      PrintWriter out = spec.commandLine().getOut();
      out.println(new GsonBuilder().setPrettyPrinting().create().toJson(describe(config)));
      out.flush();
      return 0;
    }
  }

  /** {@code list}: the preset names, one a line. */
  @Command(name = "list", mixinStandardHelpOptions = true, description = "List the preset names")
  static final class ListPresets implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      Presets.names().forEach(spec.commandLine().getOut()::println);
      spec.commandLine().getOut().flush();
    }
  }

  static final class PresetNames implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return Presets.names().iterator();
    }
  }

  static JsonObject describe(MM1Config config) {
    var counts = ParameterCounts.of(config);
    var gson = new GsonBuilder().create();
    var json = new JsonObject();
    json.addProperty("preset", config.name());
    json.add("encoder", component(counts.encoder(), counts.encoder()));
    json.add("connector", component(counts.connector(), counts.connector()));
    json.add("decoder", component(counts.decoder(), counts.decoderActive()));
    json.addProperty("total", counts.total());
    json.addProperty("active", counts.active());
    json.add("config", gson.toJsonTree(config));
    return json;
  }

  private static JsonObject component(long total, long active) {
    var json = new JsonObject();
    json.addProperty("total", total);
    json.addProperty("active", active);
    return json;
  }
}
