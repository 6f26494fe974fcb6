package dev.mm1.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Mm1Test {
  @TempDir Path home;
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  Mm1 mm1() {
    return new Mm1(home, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @Test
  void helpListsEveryCommand() {
    assertThat(mm1().run("--help")).isZero();
    assertThat(out.toString()).contains("up ", "train ", "eval ", "score ", "gate ", "data ", "model ", "bench ");
  }

  @Test
  void aCommandWhoseModuleLacksItSaysSoAndFails() {
    assertThat(mm1().run("train", "--steps", "3")).isEqualTo(ModuleLauncher.UNAVAILABLE);
    assertThat(err.toString())
        .contains("mm1 train belongs to module trainer-image, which does not implement it yet")
        .contains("dev.mm1.trainer.TrainCommand");
  }

  @Test
  void helpOfAnUnimplementedCommandDescribesItAndWhy() {
    assertThat(mm1().run("bench", "operator", "--help")).isZero();
    assertThat(out.toString())
        .contains("Usage: mm1 bench operator")
        .contains("mm1 bench operator belongs to module operator, which does not implement it yet");
  }

  @Test
  void misspelledCommandGetsASuggestion() {
    assertThat(mm1().run("trian")).isEqualTo(2);
    assertThat(err.toString()).contains("Unmatched argument at index 0: 'trian'").contains("mm1 train");
  }

  @Test
  void benchWithoutABenchmarkShowsTheBenchmarks() {
    assertThat(mm1().run("bench")).isEqualTo(2);
    assertThat(err.toString()).contains("missing command").contains("control-plane");
  }

  @Test
  void aCommandWithSourceButNoBuildAsksForTheBuild() throws IOException {
    var source = home.resolve("model/src/main/java/dev/mm1/model/cli/ModelCommand.java");
    Files.createDirectories(source.getParent());
    Files.writeString(source, "package dev.mm1.model.cli; class ModelCommand {}");
    assertThat(mm1().run("model", "info")).isEqualTo(ModuleLauncher.UNAVAILABLE);
    assertThat(err.toString()).contains("which is not built; run: ./mvnw -pl model -am install -DskipTests");
  }

  @Test
  void aBuiltCommandRunsInItsModuleJvmWithEveryArgumentAndItsExitCode() throws IOException {
    // A stand-in for the model module: one compiled main class that records its arguments.
    var classes = home.resolve("model/target/classes");
    var source = home.resolve("model/src/main/java/dev/mm1/model/cli/ModelCommand.java");
    Files.createDirectories(source.getParent());
    Files.writeString(source, """
        package dev.mm1.model.cli;
        public class ModelCommand {
          public static void main(String[] args) throws Exception {
            java.nio.file.Files.writeString(java.nio.file.Path.of(args[0]),
                String.join(" ", args) + " home=" + System.getProperty("mm1.home"));
            System.exit(7);
          }
        }
        """);
    Files.createDirectories(classes);
    var compiled = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(), source.toString());
    assertThat(compiled).isZero();
    Files.writeString(home.resolve("model/target/mm1-classpath.txt"), "");
    var record = home.resolve("args.txt");

    var exit = mm1().run("model", record.toString(), "info", "--preset", "tiny", "--help");

    assertThat(exit).isEqualTo(7);
    assertThat(Files.readString(record)).isEqualTo(record + " info --preset tiny --help home=" + home);
  }

  @Test
  void everyLeafCommandNamesAnExistingModuleDirectory() {
    var root = Path.of("..").toAbsolutePath().normalize();
    List<Subcommand> leaves = Subcommand.ALL.stream()
        .flatMap(c -> c.children().isEmpty() ? java.util.stream.Stream.of(c) : c.children().stream())
        .toList();
    assertThat(leaves).hasSize(17);
    // Benchmarks are under bench, commands at the top: nothing is listed twice.
    assertThat(Subcommand.ALL.stream().filter(c -> c.name().equals("bench")).findFirst().orElseThrow().children())
        .extracting(Subcommand::mainClass).allMatch(name -> name.contains(".bench."));
    assertThat(leaves).allSatisfy(c -> assertThat(root.resolve(c.module()).resolve("pom.xml")).exists());
  }
}
