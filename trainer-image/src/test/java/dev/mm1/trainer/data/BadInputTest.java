package dev.mm1.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mm1.api.v1alpha1.BadSamplePolicy;
import dev.mm1.api.v1alpha1.DataSourceKind;
import dev.mm1.api.v1alpha1.DataSourceSpec;
import dev.mm1.api.v1alpha1.DataSpec;
import dev.mm1.model.tokenizer.MM1Tokenizer;
import dev.mm1.trainer.data.shard.TarWriter;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of bad input either stops the run naming shard and sample, or is skipped and counted. */
@Timeout(60)
class BadInputTest {
  static MM1Tokenizer tokenizer;
  static byte[] png;
  @TempDir Path directory;

  @BeforeAll
  static void load() throws IOException {
    System.setProperty("java.awt.headless", "true");
    tokenizer = MM1Tokenizer.load();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "png", bytes);
    png = bytes.toByteArray();
  }

  @AfterAll
  static void close() {
    tokenizer.close();
  }

  /** A shard of {@code good} valid samples of the kind, with {@code bad} written at position 3. */
  private Path shard(String name, DataSourceKind kind, int good, Consumer<TarWriter> bad) throws IOException {
    Path file = directory.resolve(name + ".tar");
    try (TarWriter tar = new TarWriter(file)) {
      for (int i = 0; i < good; i++) {
        if (i == 3) {
          bad.accept(tar);
        }
        String key = String.format("good%04d", i);
        switch (kind) {
          case Caption -> {
            tar.add(key + ".png", png);
            tar.add(key + ".txt", utf8("a red circle"));
          }
          case Interleaved -> {
            tar.add(key + ".json", utf8("[{\"text\": \"one\"}, {\"image\": \"0.png\"}]"));
            tar.add(key + ".0.png", png);
          }
          default -> tar.add(key + ".txt", utf8("a text about shapes"));
        }
      }
    }
    return file;
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static void add(TarWriter tar, String name, byte[] content) {
    try {
      tar.add(name, content);
    } catch (IOException e) {
      throw new RuntimeException(e);
    }
  }

  private static DataSpec spec(Path shard, DataSourceKind kind, BadSamplePolicy policy, double maxSkipped) {
    DataSourceSpec source = new DataSourceSpec();
    source.name = "src";
    source.kind = kind;
    source.shards = shard.toString();
    source.weight = 1.0;
    DataSpec spec = new DataSpec();
    spec.sources = List.of(source);
    spec.sequenceLength = 64;
    spec.maxImagesPerSequence = 4;
    spec.imageResolution = 8;
    spec.onBadSample = policy;
    spec.maxSkippedFraction = maxSkipped;
    return spec;
  }

  private static DataPipeline pipeline(DataSpec spec) {
    return DataPipeline.builder(spec).tokenizer(tokenizer).imageTokens(4).batchSize(1).singlePass(true).build();
  }

  /** Runs a single pass; returns the samples skipped. */
  private static long drain(DataSpec spec) {
    try (DataPipeline pipeline = pipeline(spec)) {
      while (pipeline.nextBatch() != null) {
        // consume
      }
      return pipeline.samplesSkipped();
    }
  }

  private void assertFailsNamingAndSkipsCounted(Path shard, DataSourceKind kind, String key, String problem) {
    assertThatThrownBy(() -> drain(spec(shard, kind, BadSamplePolicy.Fail, 0.01)))
        .isInstanceOf(DataPipelineException.class)
        .hasMessageContaining(shard.getFileName().toString()).hasMessageContaining("'" + key + "'").hasMessageContaining(problem);
    assertThat(drain(spec(shard, kind, BadSamplePolicy.Skip, 0.5))).isEqualTo(1);
  }

  @Test
  void captionWithoutItsImage() throws IOException {
    Path shard = shard("no-image", DataSourceKind.Caption, 10, tar -> add(tar, "lonely.txt", utf8("a caption")));
    assertFailsNamingAndSkipsCounted(shard, DataSourceKind.Caption, "lonely", "has no image");
  }

  @Test
  void undecodableImage() throws IOException {
    Path shard = shard("broken-image", DataSourceKind.Caption, 10, tar -> {
      add(tar, "broken.jpg", utf8("these bytes are no JPEG"));
      add(tar, "broken.txt", utf8("a caption"));
    });
    assertFailsNamingAndSkipsCounted(shard, DataSourceKind.Caption, "broken", "image 'jpg': not a decodable image");
  }

  @Test
  void interleavedDocumentNamingAMissingImage() throws IOException {
    Path shard = shard("missing", DataSourceKind.Interleaved, 10, tar -> {
      add(tar, "doc.json", utf8("[{\"text\": \"see\"}, {\"image\": \"0.png\"}, {\"image\": \"1.png\"}]"));
      add(tar, "doc.0.png", png);
    });
    assertFailsNamingAndSkipsCounted(shard, DataSourceKind.Interleaved, "doc", "names image '1.png'");
  }

  @Test
  void interleavedDocumentWithInvalidJson() throws IOException {
    Path shard = shard("bad-json", DataSourceKind.Interleaved, 10, tar -> add(tar, "doc.json", utf8("[{\"text\": ")));
    assertFailsNamingAndSkipsCounted(shard, DataSourceKind.Interleaved, "doc", "not valid JSON");
  }

  @Test
  void corruptTarSkipsTheRestOfTheShardAsOneBadSample() throws IOException {
    Path shard = shard("corrupt", DataSourceKind.Text, 10, tar -> {});
    byte[] bytes = Files.readAllBytes(shard);
    int fifthHeader = 4 * 1024; // each text sample is one header block and one content block
    for (int i = 0; i < 100; i++) {
      bytes[fifthHeader + i] = (byte) 0xAB;
    }
    Files.write(shard, bytes);
    assertThatThrownBy(() -> drain(spec(shard, DataSourceKind.Text, BadSamplePolicy.Fail, 0.01)))
        .isInstanceOf(DataPipelineException.class).hasMessageContaining("corrupt.tar")
        .hasMessageContaining("after sample key 'good0003'").hasMessageContaining("checksum");
    assertThat(drain(spec(shard, DataSourceKind.Text, BadSamplePolicy.Skip, 0.5))).isEqualTo(1);
  }

  @Test
  void emptyShardPatternFailsAtStartNamingTheField() throws IOException {
    Files.createDirectories(directory.resolve("nothing-here"));
    assertThatThrownBy(() -> pipeline(spec(directory.resolve("nothing-here"), DataSourceKind.Text, BadSamplePolicy.Skip, 0.01)))
        .hasMessageContaining("data.sources[0].shards").hasMessageContaining("names no shards");
    assertThatThrownBy(() -> pipeline(spec(directory.resolve("absent-{0..3}.tar"), DataSourceKind.Text, BadSamplePolicy.Skip, 0.01)))
        .hasMessageContaining("absent-0.tar").hasMessageContaining("does not exist");
  }

  @Test
  void skipsBeyondTheAllowedFractionStopTheRunWithTheCounts() throws IOException {
    Path shard = shard("many-bad", DataSourceKind.Caption, 150, tar -> {
      for (int i = 0; i < 3; i++) {
        add(tar, "lonely" + i + ".txt", utf8("a caption"));
      }
    });
    assertThatThrownBy(() -> drain(spec(shard, DataSourceKind.Caption, BadSamplePolicy.Skip, 0.01)))
        .isInstanceOf(DataPipelineException.class).hasMessageContaining("3 of 153 samples")
        .hasMessageContaining("maxSkippedFraction 1.00 %");
    assertThat(drain(spec(shard, DataSourceKind.Caption, BadSamplePolicy.Skip, 0.02))).isEqualTo(3);
  }

  @Test
  void aShardOfOnlyBadSamplesStopsAnEndlessRunInsteadOfSpinning() throws IOException {
    Path shard = directory.resolve("all-bad.tar");
    try (TarWriter tar = new TarWriter(shard)) {
      tar.add("a.txt", utf8("caption without image"));
    }
    DataSpec spec = spec(shard, DataSourceKind.Caption, BadSamplePolicy.Skip, 0.01);
    try (DataPipeline pipeline = DataPipeline.builder(spec).tokenizer(tokenizer).imageTokens(4).build();
        PrefetchingLoader loader = new PrefetchingLoader(pipeline, 1, 2)) {
      assertThatThrownBy(loader::next).isInstanceOf(DataPipelineException.class)
          .hasMessageContaining("100 of 100 samples").hasMessageContaining("all-bad.tar, sample 'a'");
    }
  }
}
