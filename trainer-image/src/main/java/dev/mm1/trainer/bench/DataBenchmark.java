package dev.mm1.trainer.bench;

import dev.mm1.api.v1alpha1.DataSourceKind;
import dev.mm1.api.v1alpha1.DataSourceSpec;
import dev.mm1.api.v1alpha1.DataSpec;
import dev.mm1.model.tokenizer.MM1Tokenizer;
import dev.mm1.trainer.data.Batch;
import dev.mm1.trainer.data.DataPipeline;
import dev.mm1.trainer.data.PrefetchingLoader;
import dev.mm1.trainer.data.pack.PackedSequence;
import dev.mm1.trainer.data.synth.CorpusGenerator;
import dev.mm1.trainer.data.synth.CorpusSize;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./mm1 bench data}: samples/s and images/s through the whole data pipeline (read tar
 * shards, decode, resize/crop/normalise, tokenize, mix 45:45:10, pack) on the shapes-world corpus,
 * first synchronously on the calling thread, then with the prefetching loader, in one run. The
 * defaults are the {@code small} model preset's input: 224 px images, 64 image tokens, 1024
 * positions. Prints one JSON object on its last line.
 */
@Command(name = "data", mixinStandardHelpOptions = true,
    description = "Samples/s and images/s through the whole data pipeline, without and with the prefetcher.")
public final class DataBenchmark implements Callable<Integer> {
  @Option(names = "--corpus", description = "A corpus written by ./mm1 data synth; default: generate a small one at --render-resolution in a temporary directory.")
  Path corpus;

  @Option(names = "--render-resolution", defaultValue = "256", description = "Side of the generated images (default ${DEFAULT-VALUE}).")
  int renderResolution;

  @Option(names = "--resolution", defaultValue = "224", description = "Encoder input side (default ${DEFAULT-VALUE}, the small preset).")
  int resolution;

  @Option(names = "--image-tokens", defaultValue = "64", description = "Positions per image (default ${DEFAULT-VALUE}, the small preset).")
  int imageTokens;

  @Option(names = "--sequence-length", defaultValue = "1024", description = "Packed sequence length (default ${DEFAULT-VALUE}).")
  int sequenceLength;

  @Option(names = "--max-images", defaultValue = "8", description = "Images per sequence at most (default ${DEFAULT-VALUE}).")
  int maxImages;

  @Option(names = "--batch", defaultValue = "8", description = "Sequences per batch (default ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--threads", description = "Prefetch threads (default: available processors).")
  Integer threads;

  @Option(names = "--seconds", defaultValue = "10", description = "Measured seconds per mode (default ${DEFAULT-VALUE}).")
  double seconds;

  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    System.exit(new CommandLine(new DataBenchmark()).execute(args));
  }

  /** What one mode measured. */
  record Rate(double samplesPerSecond, double imagesPerSecond, double sequencesPerSecond, double tokensPerSecond) {}

  @Override
  public Integer call() throws IOException {
    int threadCount = threads != null ? threads : Runtime.getRuntime().availableProcessors();
    Path generated = null;
    if (corpus == null) {
      generated = Files.createTempDirectory("mm1-bench-data");
      corpus = generated;
      System.out.printf("generating the small shapes-world corpus at %d px in %s ...%n", renderResolution, corpus);
      new CorpusGenerator(corpus, 1, CorpusSize.SMALL, renderResolution).generate();
    }
    try (MM1Tokenizer tokenizer = MM1Tokenizer.load()) {
      DataSpec spec = spec();
      System.out.printf("pipeline: caption 30 + vecap 15 : interleaved 45 : text 10, %d positions, <= %d images of %d tokens,"
          + " %d px, batch %d, %.0f s per mode%n", sequenceLength, maxImages, imageTokens, resolution, batch, seconds);
      Rate synchronous;
      try (DataPipeline pipeline = builder(spec, tokenizer).build()) {
        synchronous = measure("synchronous (no prefetch)", pipeline, pipeline::nextBatch);
      }
      Rate prefetched;
      try (DataPipeline pipeline = builder(spec, tokenizer).build();
          PrefetchingLoader loader = new PrefetchingLoader(pipeline, threadCount, 4)) {
        prefetched = measure("prefetched, " + threadCount + " threads", pipeline, loader::next);
      }
      double speedup = prefetched.samplesPerSecond() / synchronous.samplesPerSecond();
      System.out.printf("prefetcher speed-up: %.2fx%n", speedup);
      System.out.println(String.format(Locale.ROOT,
          "{\"samplesPerSecond\": %.1f, \"imagesPerSecond\": %.1f, \"sequencesPerSecond\": %.2f, \"tokensPerSecond\": %.0f,"
              + " \"synchronousSamplesPerSecond\": %.1f, \"synchronousImagesPerSecond\": %.1f, \"prefetchSpeedup\": %.2f,"
              + " \"threads\": %d, \"cpus\": %d, \"resolution\": %d, \"imageTokens\": %d, \"sequenceLength\": %d, \"batch\": %d}",
          prefetched.samplesPerSecond(), prefetched.imagesPerSecond(), prefetched.sequencesPerSecond(),
          prefetched.tokensPerSecond(), synchronous.samplesPerSecond(), synchronous.imagesPerSecond(), speedup, threadCount,
          Runtime.getRuntime().availableProcessors(), resolution, imageTokens, sequenceLength, batch));
    } finally {
      if (generated != null) {
        deleteTree(generated);
      }
    }
    return 0;
  }

  private DataPipeline.Builder builder(DataSpec spec, MM1Tokenizer tokenizer) {
    return DataPipeline.builder(spec).tokenizer(tokenizer).imageTokens(imageTokens).batchSize(batch);
  }

  private DataSpec spec() {
    DataSpec spec = new DataSpec();
    spec.sources = List.of(source("caption", DataSourceKind.Caption, 30), source("vecap", DataSourceKind.Caption, 15),
        source("interleaved", DataSourceKind.Interleaved, 45), source("text", DataSourceKind.Text, 10));
    spec.sequenceLength = sequenceLength;
    spec.maxImagesPerSequence = maxImages;
    spec.imageResolution = resolution;
    spec.seed = 1L;
    return spec;
  }

  private DataSourceSpec source(String name, DataSourceKind kind, double weight) {
    DataSourceSpec source = new DataSourceSpec();
    source.name = name;
    source.kind = kind;
    source.shards = corpus.toAbsolutePath().resolve(name).toString();
    source.weight = weight;
    return source;
  }

  /** Warms up for a fifth of the time, then counts what the consumer receives. */
  private Rate measure(String mode, DataPipeline pipeline, Supplier<Batch> next) {
    long warmUntil = System.nanoTime() + (long) (seconds * 0.2e9);
    while (System.nanoTime() < warmUntil) {
      next.get();
    }
    long samplesBefore = pipeline.samplesSeen();
    long images = 0;
    long sequences = 0;
    long tokens = 0;
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    long now;
    do {
      Batch batch = next.get();
      images += batch.imageCount();
      sequences += batch.sequences().size();
      for (PackedSequence sequence : batch.sequences()) {
        tokens += sequence.usedTokens();
      }
      now = System.nanoTime();
    } while (now < end);
    double elapsed = (now - start) / 1e9;
    // With the prefetcher, samples are counted where they are read: the queues hold at most a few batches more.
    Rate rate = new Rate((pipeline.samplesSeen() - samplesBefore) / elapsed, images / elapsed, sequences / elapsed,
        tokens / elapsed);
    System.out.printf(Locale.ROOT, "%-28s %8.1f samples/s %8.1f images/s %7.2f sequences/s %9.0f tokens/s%n", mode,
        rate.samplesPerSecond(), rate.imagesPerSecond(), rate.sequencesPerSecond(), rate.tokensPerSecond());
    return rate;
  }

  /** Deletes {@code root} and everything below it (the benchmarks' temporary directories). */
  static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
