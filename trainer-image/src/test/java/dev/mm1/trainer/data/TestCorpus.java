package dev.mm1.trainer.data;

import dev.mm1.api.v1alpha1.DataSourceKind;
import dev.mm1.api.v1alpha1.DataSourceSpec;
import dev.mm1.api.v1alpha1.DataSpec;
import dev.mm1.trainer.data.synth.CorpusGenerator;
import dev.mm1.trainer.data.synth.CorpusSize;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The small shapes-world corpus, generated once per test JVM at a low resolution to keep tests fast. */
public final class TestCorpus {
  static final long SEED = 7;
  static final int RESOLUTION = 32;
  private static Path root;

  private TestCorpus() {}

  public static synchronized Path root() {
    if (root == null) {
      System.setProperty("java.awt.headless", "true");
      Path out = Path.of("target", "test-corpus").toAbsolutePath();
      try {
        new CorpusGenerator(out, SEED, CorpusSize.SMALL, RESOLUTION).generate();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      root = out;
    }
    return root;
  }

  public static DataSourceSpec source(String name, DataSourceKind kind, String directory, double weight) {
    DataSourceSpec source = new DataSourceSpec();
    source.name = name;
    source.kind = kind;
    source.shards = "file://" + root().resolve(directory);
    source.weight = weight;
    return source;
  }

  /** The MM1 pre-training mixture over the test corpus: captions (two sources), interleaved, text. */
  public static DataSpec pretraining(int sequenceLength, int maxImages) {
    DataSpec spec = new DataSpec();
    List<DataSourceSpec> sources = new ArrayList<>();
    sources.add(source("caption", DataSourceKind.Caption, "caption", 30));
    sources.add(source("vecap", DataSourceKind.Caption, "vecap", 15));
    sources.add(source("interleaved", DataSourceKind.Interleaved, "interleaved", 45));
    sources.add(source("text", DataSourceKind.Text, "text", 10));
    spec.sources = sources;
    spec.sequenceLength = sequenceLength;
    spec.maxImagesPerSequence = maxImages;
    spec.imageResolution = 16;
    spec.seed = 11L;
    return spec;
  }
}
