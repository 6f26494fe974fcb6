package dev.mm1.trainer.data;

import dev.mm1.trainer.data.shard.CorruptShardException;
import dev.mm1.trainer.data.shard.ShardPattern;
import dev.mm1.trainer.data.shard.ShardSample;
import dev.mm1.trainer.data.shard.ShardSampleReader;
import dev.mm1.trainer.data.synth.CorpusGenerator;
import dev.mm1.trainer.data.synth.CorpusSize;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./mm1 data}: generate the synthetic shapes-world corpus and inspect WebDataset shards. */
@Command(name = "data", mixinStandardHelpOptions = true,
    description = "Generate the synthetic shapes-world corpus and inspect WebDataset shards.",
    subcommands = {DataCommand.Synth.class, DataCommand.Inspect.class})
public final class DataCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    System.exit(new CommandLine(new DataCommand()).execute(args));
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** {@code ./mm1 data synth}. */
  @Command(name = "synth", mixinStandardHelpOptions = true,
      description = "Write the shapes-world corpus: caption, VeCap, interleaved, text and SFT shards, "
          + "and COCO-captions and VQAv2 evaluation sets. Deterministic by seed.")
  static final class Synth implements Callable<Integer> {
    @Option(names = "--out", required = true, description = "Output directory (created if missing).")
    Path out;

    @Option(names = "--seed", defaultValue = "0", description = "Random seed; the same seed writes the same bytes (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--size", defaultValue = "small", converter = SizeConverter.class,
        description = "small or medium (default ${DEFAULT-VALUE}).")
    CorpusSize size;

    @Option(names = "--resolution", defaultValue = "64", description = "Rendered image side in pixels, 24..4096 (default ${DEFAULT-VALUE}).")
    int resolution;

    @Override
    public Integer call() throws IOException {
      if (resolution < 24 || resolution > 4096) {
        throw new CommandLine.ParameterException(new CommandLine(this), "--resolution must be 24..4096, got " + resolution);
      }
      long start = System.nanoTime();
      Map<String, Object> summary = new CorpusGenerator(out, seed, size, resolution).generate();
      @SuppressWarnings("unchecked")
      Map<String, Map<String, Object>> sources = (Map<String, Map<String, Object>>) summary.get("sources");
      sources.forEach((name, source) -> System.out.printf("%-12s %-12s %6s samples %6s images  %s%n", name,
          source.get("kind"), source.get("samples"), source.get("images"), source.get("shards")));
      @SuppressWarnings("unchecked")
      Map<String, Map<String, Object>> eval = (Map<String, Map<String, Object>>) summary.get("eval");
      eval.forEach((name, set) -> System.out.printf("eval/%-7s %-12s %6s test + %s support images  %s%n", name,
          set.get("format"), set.get("testImages"), set.get("supportImages"), set.get("uri")));
      System.out.printf("wrote %s in %.1f s (summary: %s)%n", out, (System.nanoTime() - start) / 1e9,
          out.resolve("corpus.json"));
      return 0;
    }
  }

  static final class SizeConverter implements CommandLine.ITypeConverter<CorpusSize> {
    @Override
    public CorpusSize convert(String value) {
      try {
        return CorpusSize.valueOf(value.toUpperCase());
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException("--size must be small or medium, got '" + value + "'");
      }
    }
  }

  /** {@code ./mm1 data inspect}. */
  @Command(name = "inspect", mixinStandardHelpOptions = true,
      description = "Read shards (path, file: URI, directory or brace pattern) and print samples per shard and their parts.")
  static final class Inspect implements Callable<Integer> {
    @Parameters(paramLabel = "SHARDS", description = "e.g. file:///data/shapes/caption/shard-{000000..000003}.tar")
    String pattern;

    @Option(names = "--keys", defaultValue = "3", description = "Sample keys to show per shard (default ${DEFAULT-VALUE}).")
    int keys;

    @Override
    public Integer call() throws IOException {
      List<Path> shards;
      try {
        shards = ShardPattern.expand(pattern);
      } catch (IllegalArgumentException e) {
        System.err.println("mm1 data inspect: " + e.getMessage());
        return 2;
      }
      int failures = 0;
      long total = 0;
      for (Path shard : shards) {
        Map<String, Integer> parts = new TreeMap<>();
        int samples = 0;
        StringBuilder shown = new StringBuilder();
        try (ShardSampleReader reader = ShardSampleReader.open(shard)) {
          for (ShardSample sample; (sample = reader.next(false)) != null; samples++) {
            sample.parts().keySet().forEach(p -> parts.merge(p.replaceFirst("^\\d+\\.", "N."), 1, Integer::sum));
            if (samples < keys) {
              shown.append(samples == 0 ? "" : ", ").append(sample.key());
            }
          }
          System.out.printf("%s: %d samples, parts %s, keys %s%n", shard, samples, parts, shown);
        } catch (CorruptShardException e) {
          failures++;
          System.out.printf("%s: %d samples before: %s%n", shard, samples, e.getMessage());
        }
        total += samples;
      }
      System.out.printf("%d shards, %d samples, %d corrupt%n", shards.size(), total, failures);
      return failures == 0 ? 0 : 1;
    }
  }
}
