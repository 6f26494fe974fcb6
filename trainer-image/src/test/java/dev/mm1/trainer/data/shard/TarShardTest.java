package dev.mm1.trainer.data.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarShardTest {
  @TempDir Path directory;

  private Path shard(String name, String... entries) throws IOException {
    Path file = directory.resolve(name);
    try (TarWriter tar = new TarWriter(file)) {
      for (String entry : entries) {
        tar.add(entry, (entry + " content").getBytes(StandardCharsets.UTF_8));
      }
    }
    return file;
  }

  private static List<ShardSample> readAll(Path file, boolean load) throws IOException {
    List<ShardSample> samples = new ArrayList<>();
    try (ShardSampleReader reader = ShardSampleReader.open(file)) {
      for (ShardSample sample; (sample = reader.next(load)) != null; ) {
        samples.add(sample);
      }
    }
    return samples;
  }

  @Test
  void consecutiveEntriesWithOneKeyFormOneSample() throws IOException {
    Path file = shard("a.tar", "x/k1.jpg", "x/k1.txt", "x/k2.json", "x/k2.0.png", "x/k2.1.png", "k3.txt");
    List<ShardSample> samples = readAll(file, true);
    assertThat(samples).extracting(ShardSample::key).containsExactly("x/k1", "x/k2", "k3");
    assertThat(samples.get(1).parts().keySet()).containsExactly("json", "0.png", "1.png");
    assertThat(new String(samples.get(1).parts().get("1.png"), StandardCharsets.UTF_8)).isEqualTo("x/k2.1.png content");
    assertThat(samples).extracting(ShardSample::index).containsExactly(0, 1, 2);
    // Skipped samples keep their part names but no content.
    assertThat(readAll(file, false).get(1).parts()).containsKeys("json", "0.png").containsValue(null);
  }

  @Test
  void readsGnuTarArchivesWithLongNames() throws Exception {
    Path source = Files.createDirectories(directory.resolve("src"));
    String longKey = "k".repeat(120);
    Files.writeString(source.resolve(longKey + ".txt"), "long");
    Files.writeString(source.resolve("short.txt"), "short");
    Process tar = new ProcessBuilder("tar", "--format=gnu", "-cf", directory.resolve("gnu.tar").toString(), "-C",
        source.toString(), longKey + ".txt", "short.txt").inheritIO().start();
    assertThat(tar.waitFor()).isZero();
    List<ShardSample> samples = readAll(directory.resolve("gnu.tar"), true);
    assertThat(samples).extracting(ShardSample::key).containsExactly(longKey, "short");
    assertThat(new String(samples.get(0).parts().get("txt"), StandardCharsets.UTF_8)).isEqualTo("long");
  }

  @Test
  void aDamagedHeaderIsACorruptShardNamingShardAndLastKey() throws IOException {
    Path file = shard("bad.tar", "k1.txt", "k2.txt", "k3.txt");
    byte[] bytes = Files.readAllBytes(file);
    bytes[1024 + 10] ^= 0x55; // inside the second entry's header name
    Files.write(file, bytes);
    assertThatThrownBy(() -> readAll(file, true)).isInstanceOf(CorruptShardException.class)
        .hasMessageContaining("bad.tar").hasMessageContaining("byte 1024").hasMessageContaining("'k1'")
        .hasMessageContaining("checksum");
  }

  @Test
  void aTruncatedShardIsCorruptWhetherItsContentIsReadOrSkipped() throws IOException {
    Path file = directory.resolve("cut.tar");
    try (TarWriter tar = new TarWriter(file)) {
      tar.add("k1.bin", new byte[3000]);
      tar.add("k2.bin", new byte[3000]);
    }
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(bytes, 512 + 3072 + 512 + 1000));
    assertThatThrownBy(() -> readAll(file, true)).isInstanceOf(CorruptShardException.class).hasMessageContaining("ends inside");
    assertThatThrownBy(() -> readAll(file, false)).isInstanceOf(CorruptShardException.class).hasMessageContaining("ends inside");
  }

  @Test
  void randomBytesAreNotATar() {
    byte[] junk = new byte[2048];
    new java.util.Random(1).nextBytes(junk);
    TarReader reader = new TarReader(new ByteArrayInputStream(junk), "junk.tar", junk.length);
    assertThatThrownBy(reader::next).isInstanceOf(CorruptShardException.class).hasMessageContaining("junk.tar");
  }

  @Test
  void patternsExpandRangesListsUrisAndDirectories() throws IOException {
    for (int i = 0; i < 3; i++) {
      shard(String.format("shard-%06d.tar", i), "k.txt");
    }
    shard("extra.tar", "k.txt");
    String base = directory.toString();
    assertThat(ShardPattern.expand(base + "/shard-{000000..000002}.tar")).extracting(p -> p.getFileName().toString())
        .containsExactly("shard-000000.tar", "shard-000001.tar", "shard-000002.tar");
    assertThat(ShardPattern.expand("file://" + base + "/{extra,shard-000001}.tar")).hasSize(2);
    assertThat(ShardPattern.expand("file:" + base + "/shard-{1..2}.tar".replace("{1..2}", "00000{1..2}"))).hasSize(2);
    assertThat(ShardPattern.expand("file://" + base)).hasSize(4);
  }

  @Test
  void badPatternsSayWhatIsWrong() throws IOException {
    shard("shard-000000.tar", "k.txt");
    String base = directory.toString();
    assertThatThrownBy(() -> ShardPattern.expand(base + "/shard-{000000..000001}.tar"))
        .hasMessageContaining("shard-000001.tar").hasMessageContaining("does not exist");
    Files.createDirectories(directory.resolve("empty"));
    assertThatThrownBy(() -> ShardPattern.expand(base + "/empty")).hasMessageContaining("names no shards");
    assertThatThrownBy(() -> ShardPattern.expand("s3://bucket/shard-{0..3}.tar")).hasMessageContaining("scheme 's3'");
    assertThatThrownBy(() -> ShardPattern.expand(base + "/shard-{3..1}.tar")).hasMessageContaining("backwards");
    assertThatThrownBy(() -> ShardPattern.expand(base + "/shard-{a..b}.tar")).hasMessageContaining("decimal");
    assertThatThrownBy(() -> ShardPattern.expand("")).hasMessageContaining("empty");
  }
}
