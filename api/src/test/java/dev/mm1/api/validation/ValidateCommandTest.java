package dev.mm1.api.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** ./mm1 validate as a user or CI runs it: exit codes, one line per error naming the field, a JSON last line. */
class ValidateCommandTest {
  record Run(int exitCode, String out, String err) {
    String lastLine() {
      var lines = out.strip().lines().toList();
      return lines.getLast();
    }
  }

  static Run validate(String... args) {
    var out = new ByteArrayOutputStream();
    var err = new ByteArrayOutputStream();
    int code = new CommandLine(new ValidateCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8))).execute(args);
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static String[] samples(String dir) throws IOException {
    try (Stream<Path> files = Files.list(Path.of("../manifests/samples", dir))) {
      return Stream.concat(Stream.of("-f"), files.filter(f -> f.toString().endsWith(".yaml")).sorted().map(Path::toString))
          .toArray(String[]::new);
    }
  }

  @Test
  void validSamplesExitZero() throws IOException {
    var run = validate(samples(""));
    assertThat(run.exitCode()).as(run.out()).isEqualTo(ValidateCommand.VALID);
    assertThat(run.lastLine()).contains("\"invalid\":0").contains("\"errors\":0");
    assertThat(run.err()).contains("MM1Training tiny-pretrain: valid");
  }

  @Test
  void everyInvalidSampleIsOneLinePerErrorNamingItsField() throws IOException {
    var args = samples("invalid");
    var run = validate(args);
    assertThat(run.exitCode()).isEqualTo(ValidateCommand.INVALID);
    for (int i = 1; i < args.length; i++) {
      var file = args[i];
      var expected = Files.readAllLines(Path.of(file)).stream().filter(l -> l.startsWith("# expect-error: "))
          .map(l -> l.substring("# expect-error: ".length()).trim()).findFirst().orElseThrow();
      assertThat(run.out().lines()).as(file).anySatisfy(line -> assertThat(line).startsWith(file + ": ").contains(": " + expected + ": "));
    }
    assertThat(run.lastLine()).startsWith("{\"command\":\"validate\"").contains("\"invalid\":" + (args.length - 1));
  }

  @Test
  void multiDocumentFilesAreCheckedDocumentByDocumentAndOtherKindsSkipped(@TempDir Path dir) throws IOException {
    var file = dir.resolve("all.yaml");
    Files.writeString(file, Files.readString(Path.of("../manifests/samples/tiny-pretrain.yaml")) + "\n---\n"
        + "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\n---\n"
        + Files.readString(Path.of("../manifests/samples/tiny-pretrain.yaml")).replace("globalBatchSize: 8", "globalBatchSize: 6"));
    var run = validate("-f", file.toString());
    assertThat(run.exitCode()).isEqualTo(ValidateCommand.INVALID);
    assertThat(run.out()).contains(file + "#3: MM1Training tiny-pretrain: $.spec.optimization.globalBatchSize: 6 is not divisible");
    assertThat(run.err()).contains(file + "#2: skipped v1 ConfigMap");
    assertThat(run.lastLine()).contains("\"resources\":2").contains("\"skipped\":1");
  }

  @Test
  void anUnreadableFileExitsTwo(@TempDir Path dir) throws IOException {
    var broken = dir.resolve("broken.yaml");
    Files.writeString(broken, "spec: [unclosed\n  - a: b\n");
    var run = validate("-f", dir.resolve("missing.yaml").toString(), broken.toString(), "../manifests/samples/tiny-pretrain.yaml");
    assertThat(run.exitCode()).isEqualTo(ValidateCommand.UNREADABLE);
    assertThat(run.out()).contains("missing.yaml: cannot read").contains("broken.yaml: cannot read");
    assertThat(run.lastLine()).contains("\"unreadable\":2");
  }
}
