package dev.mm1.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./mm1 validate -f FILE...}: the operator's validation (CRD schema with strict fields, then
 * the CEL and cross-field rules) of every MM1Training and MM1Eval in the files, offline, for users
 * and CI. Each error is one line naming the file, the resource and the field path; the last line is
 * a JSON summary. Exit code 0 when all are valid, 1 when any is invalid, 2 when a file cannot be
 * read or parsed as YAML. Documents of other kinds are skipped (said on stderr).
 */
@Command(name = "validate", mixinStandardHelpOptions = true,
    description = "Check MM1Training and MM1Eval files offline as the operator will (schema, CEL and cross-field rules).",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:every resource is valid", "1:a resource is invalid (one line per error)", "2:a file cannot be read or is not YAML"})
public final class ValidateCommand implements Callable<Integer> {
  public static final int VALID = 0;
  public static final int INVALID = 1;
  public static final int UNREADABLE = 2;

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @Option(names = {"-f", "--filename"}, arity = "1..*", required = true, paramLabel = "FILE",
      description = "YAML files with one or more resources (--- separated)")
  List<Path> files = new ArrayList<>();

  private final PrintStream out;
  private final PrintStream err;

  public ValidateCommand() {
    this(System.out, System.err);
  }

  ValidateCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new ValidateCommand()).execute(args));
  }

  @Override
  public Integer call() {
    var validator = new ResourceValidator();
    int resources = 0;
    int invalid = 0;
    int skipped = 0;
    int unreadable = 0;
    int errors = 0;
    for (var file : files) {
      List<JsonNode> documents;
      try {
        documents = read(file);
      } catch (IOException | RuntimeException e) {
        unreadable++;
        out.println(file + ": cannot read: " + firstLine(e.getMessage()));
        continue;
      }
      for (int i = 0; i < documents.size(); i++) {
        var document = documents.get(i);
        var where = file + (documents.size() > 1 ? "#" + (i + 1) : "");
        if (!document.isObject()) {
          invalid++;
          errors++;
          out.println(where + ": $: a Kubernetes resource is a YAML mapping with apiVersion, kind and metadata");
          continue;
        }
        if (!ResourceValidator.isOurs(document)) {
          skipped++;
          err.println(where + ": skipped " + document.path("apiVersion").asText("?") + " " + document.path("kind").asText("?"));
          continue;
        }
        resources++;
        var name = document.path("kind").asText() + " " + document.path("metadata").path("name").asText("(no name)");
        var violations = validator.violations(document);
        if (violations.isEmpty()) {
          err.println(where + ": " + name + ": valid");
        } else {
          invalid++;
          errors += violations.size();
          violations.forEach(v -> out.println(where + ": " + name + ": " + v.field() + ": " + v.problem()));
        }
      }
    }
    out.printf(Locale.ROOT, "{\"command\":\"validate\",\"files\":%d,\"resources\":%d,\"invalid\":%d,\"errors\":%d,\"skipped\":%d,\"unreadable\":%d}%n",
        files.size(), resources, invalid, errors, skipped, unreadable);
    return unreadable > 0 ? UNREADABLE : invalid > 0 ? INVALID : VALID;
  }

  /** The non-empty documents of a YAML file. */
  static List<JsonNode> read(Path file) throws IOException {
    var documents = new ArrayList<JsonNode>();
    try (var parser = YAML.getFactory().createParser(Files.newBufferedReader(file))) {
      var values = YAML.readValues(parser, JsonNode.class);
      while (values.hasNextValue()) {
        var document = values.nextValue();
        if (document != null && !document.isNull() && !document.isMissingNode()) {
          documents.add(document);
        }
      }
    }
    return documents;
  }

  private static String firstLine(String message) {
    return message == null ? "unknown error" : message.lines().findFirst().orElse(message);
  }
}
