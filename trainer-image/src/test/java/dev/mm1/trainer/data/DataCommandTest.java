package dev.mm1.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.mm1.trainer.data.shard.TarWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DataCommandTest {
  @TempDir Path directory;

  private static int run(StringWriter err, String... args) {
    CommandLine command = new CommandLine(new DataCommand());
    command.setErr(new PrintWriter(err));
    return command.execute(args);
  }

  @Test
  void synthRejectsAnUnknownSizeNamingTheAllowedOnes() {
    StringWriter err = new StringWriter();
    assertThat(run(err, "synth", "--out", directory.toString(), "--size", "huge")).isEqualTo(2);
    assertThat(err.toString()).contains("--size must be small or medium, got 'huge'");
    assertThat(directory.resolve("corpus.json")).doesNotExist();
  }

  @Test
  void inspectReadsAPatternAndFailsOnACorruptShard() throws Exception {
    Path caption = TestCorpus.root().resolve("caption");
    assertThat(run(new StringWriter(), "inspect", "file://" + caption + "/shard-{000000..000001}.tar")).isZero();
    Path copy = directory.resolve("bad.tar");
    try (TarWriter tar = new TarWriter(copy)) {
      tar.add("a.txt", new byte[10]);
      tar.add("b.txt", new byte[10]);
    }
    byte[] bytes = Files.readAllBytes(copy);
    bytes[1024 + 3] ^= 0x7f; // the second entry's header
    Files.write(copy, bytes);
    assertThat(run(new StringWriter(), "inspect", copy.toString())).isEqualTo(1);
    assertThat(run(new StringWriter(), "inspect", directory.resolve("none-{0..1}.tar").toString())).isEqualTo(2);
  }
}
