package dev.mm1.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mm1 image's way of running commands: in this JVM, only those whose module the image ships. */
class InProcessLauncherTest {
  @TempDir Path dir;
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  /** An "image" whose classpath holds one stand-in main class: dev.mm1.model.cli.ModelCommand. */
  Mm1 imageWithModelCommand(String body) throws IOException {
    var source = dir.resolve("src/dev/mm1/model/cli/ModelCommand.java");
    Files.createDirectories(source.getParent());
    Files.writeString(source, """
        package dev.mm1.model.cli;
        public class ModelCommand {
          public static void main(String[] args) throws Exception {
            %s
          }
        }
        """.formatted(body));
    var classes = Files.createDirectories(dir.resolve("classes"));
    assertThat(ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(), source.toString())).isZero();
    var loader = new URLClassLoader(new java.net.URL[] {classes.toUri().toURL()}, getClass().getClassLoader());
    return new Mm1(new InProcessLauncher(loader), new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @Test
  void aShippedCommandRunsInThisJvmWithEveryArgument() throws IOException {
    var record = dir.resolve("args.txt");
    var mm1 = imageWithModelCommand("java.nio.file.Files.writeString(java.nio.file.Path.of(args[0]), String.join(\" \", args)"
        + " + \" jvm=\" + ProcessHandle.current().pid());");

    assertThat(mm1.run("model", record.toString(), "info", "--preset", "tiny", "--help")).isZero();

    assertThat(Files.readString(record))
        .isEqualTo(record + " info --preset tiny --help jvm=" + ProcessHandle.current().pid());
  }

  @Test
  void helpMarksTheCommandsThisImageDoesNotShip() throws IOException {
    var mm1 = imageWithModelCommand("");

    assertThat(mm1.run("--help")).isZero();

    var help = out.toString().replaceAll("\\s+", " ");
    assertThat(help)
        .contains("train Run the trainer for an MM1Training spec (the entrypoint of the trainer pods) (not in this image)")
        .contains("model Describe model presets: shapes and parameter counts bench")
        .contains("Commands marked (not in this image) run with ./mm1 in a checkout.");
  }

  @Test
  void aCommandTheImageDoesNotShipSaysWhereItRunsAndFails() throws IOException {
    var mm1 = imageWithModelCommand("");

    assertThat(mm1.run("bench", "operator", "--iterations", "3")).isEqualTo(ModuleLauncher.UNAVAILABLE);

    assertThat(err.toString()).contains(
        "mm1 bench operator belongs to module operator, which this image does not ship; run it from a checkout with ./mm1");
  }

  @Test
  void aCommandThatThrowsExitsWithTheRetryableCodeAndSaysWhy() throws IOException {
    var mm1 = imageWithModelCommand("throw new IllegalStateException(\"disk on fire\");");
    var processErr = new java.io.ByteArrayOutputStream();
    var originalErr = System.err;
    System.setErr(new java.io.PrintStream(processErr, true, java.nio.charset.StandardCharsets.UTF_8));
    int exit;
    try {
      exit = mm1.run("model", "info");
    } finally {
      System.setErr(originalErr);
    }

    assertThat(exit).isEqualTo(1);
    assertThat(processErr.toString(java.nio.charset.StandardCharsets.UTF_8))
        .startsWith("mm1 model: java.lang.IllegalStateException: disk on fire");
  }
}
