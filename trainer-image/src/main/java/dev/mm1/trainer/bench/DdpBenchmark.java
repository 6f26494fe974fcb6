package dev.mm1.trainer.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mm1.trainer.TrainCommand;
import dev.mm1.trainer.data.synth.CorpusGenerator;
import dev.mm1.trainer.data.synth.CorpusSize;
import dev.mm1.trainer.launch.JavaCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./mm1 bench ddp --preset small}: whole training steps (data, forward, backward, gradient
 * all-reduce, AdamW) of 2 worker processes with 1 compute thread each, beside 1 worker with 1
 * thread, with the same micro-batch per worker, on the shapes-world corpus: real {@code mm1 train}
 * processes started by the launcher, throughput read from their {@code metrics.jsonl} after warm-up
 * steps. Throughput is in positions per second (sequences x sequence length: the work of a step,
 * whatever share of the positions is padding), since the workers read different data; the tokens
 * of real data per second are printed beside it. As a third figure, two independent 1-worker runs at the same time show what this machine
 * gives two processes at all (its cores, memory bandwidth and other load), which bounds the
 * speed-up from above. The configurations are run in turns ({@code --rounds}) so a busy moment slows
 * all of them. Prints a table, then one JSON object on the last line.
 */
@Command(name = "ddp", mixinStandardHelpOptions = true,
    description = "Tokens/s of 2 data-parallel workers x 1 thread beside 1 worker x 1 thread, same micro-batch per worker.")
public final class DdpBenchmark implements Callable<Integer> {
  @Option(names = "--preset", defaultValue = "small", description = "Model preset (default ${DEFAULT-VALUE}).")
  String preset;

  @Option(names = "--micro-batch", defaultValue = "1", description = "Sequences per worker per step (default ${DEFAULT-VALUE}).")
  int microBatch;

  @Option(names = "--sequence-length", defaultValue = "1024",
      description = "Packed sequence length (default ${DEFAULT-VALUE}, the small preset's longest).")
  int sequenceLength;

  @Option(names = "--steps", defaultValue = "4", description = "Measured steps per run (default ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--warmup", defaultValue = "1", description = "Steps before measuring (default ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--rounds", defaultValue = "2", description = "Runs of each configuration, taken in turns (default ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--zero", description = "Shard the optimizer state of the 2 workers (ZeRO-1).")
  boolean zero;

  @Option(names = "--corpus", description = "A corpus written by ./mm1 data synth; default: generate a small one in a temporary directory.")
  Path corpus;

  private static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) {
    var line = new CommandLine(new DdpBenchmark());
    line.setExecutionExceptionHandler((e, command, parsed) -> {
      System.err.println("mm1 bench ddp: " + e.getMessage());
      return 1;
    });
    System.exit(line.execute(args));
  }

  /** One run's measured steps: positions computed, tokens of real data among them, time. */
  record Measured(int workers, long positions, long tokens, double seconds, double syncSeconds, double dataWaitSeconds) {
    double positionsPerSecond() {
      return positions / seconds;
    }

    double tokensPerSecond() {
      return tokens / seconds;
    }
  }

  @Override
  public Integer call() throws Exception {
    if (microBatch < 1 || sequenceLength < 64 || steps < 1 || warmup < 0 || rounds < 1) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "--micro-batch >= 1, --sequence-length >= 64, --steps >= 1, --warmup >= 0 and --rounds >= 1 are required");
    }
    var work = Files.createTempDirectory("mm1-bench-ddp");
    try {
      if (corpus == null) {
        corpus = work.resolve("corpus");
        System.out.println("generating the small shapes-world corpus in " + corpus + " ...");
        new CorpusGenerator(corpus, 1, CorpusSize.SMALL, 256).generate();
      }
      var single = new ArrayList<Measured>();
      var parallel = new ArrayList<Measured>();
      var independent = new ArrayList<Measured>();
      for (int round = 0; round < rounds; round++) {
        single.add(run(work, 1, round, 1).getFirst());
        parallel.add(run(work, 2, round, 1).getFirst());
        independent.addAll(run(work, 1, round, 2));
      }
      var one = total(single);
      var two = total(parallel);
      double speedup = two.positionsPerSecond() / one.positionsPerSecond();
      // Each independent run's throughput, summed: what two processes get from this machine together.
      double pair = 0;
      for (var m : independent) {
        pair += m.positionsPerSecond() / rounds;
      }
      double ceiling = pair / one.positionsPerSecond();
      System.out.printf(Locale.ROOT, "%-30s %12s %12s %10s %10s %12s%n", "", "positions/s", "data tok/s", "s/step", "sync s",
          "data wait s");
      print("1 worker x 1 thread", one);
      print("2 workers x 1 thread", two);
      System.out.printf(Locale.ROOT, "%-30s %12.1f%n", "2 independent 1-worker runs", pair);
      System.out.printf(Locale.ROOT, "speed-up: %.2fx (goal >= 1.8x); two independent processes on this machine: %.2fx%n",
          speedup, ceiling);
      System.out.println(String.format(Locale.ROOT, "{\"benchmark\": \"ddp\", \"preset\": \"%s\", \"microBatch\": %d,"
              + " \"sequenceLength\": %d, \"measuredSteps\": %d, \"rounds\": %d, \"zero\": %b,"
              + " \"positionsPerSecond1\": %.1f, \"positionsPerSecond2\": %.1f, \"speedup\": %.3f,"
              + " \"dataTokensPerSecond1\": %.1f, \"dataTokensPerSecond2\": %.1f, \"syncSecondsPerStep2\": %.3f,"
              + " \"secondsPerStep1\": %.3f, \"secondsPerStep2\": %.3f, \"independentPairSpeedup\": %.3f, \"cpus\": %d,"
              + " \"goal\": 1.8}",
          preset, microBatch, sequenceLength, steps, rounds, zero, one.positionsPerSecond(), two.positionsPerSecond(), speedup,
          one.tokensPerSecond(), two.tokensPerSecond(),
          two.syncSeconds() / (steps * rounds), one.seconds() / (steps * rounds), two.seconds() / (steps * rounds), ceiling,
          Runtime.getRuntime().availableProcessors()));
      return 0;
    } finally {
      if (Files.exists(work)) {
        DataBenchmark.deleteTree(work);
      }
    }
  }

  private void print(String label, Measured m) {
    int n = steps * rounds;
    System.out.printf(Locale.ROOT, "%-30s %12.1f %12.1f %10.2f %10.3f %12.3f%n", label, m.positionsPerSecond(),
        m.tokensPerSecond(), m.seconds() / n, m.syncSeconds() / n, m.dataWaitSeconds() / n);
  }

  private static Measured total(List<Measured> runs) {
    long positions = 0;
    long tokens = 0;
    double seconds = 0;
    double sync = 0;
    double wait = 0;
    for (var m : runs) {
      positions += m.positions();
      tokens += m.tokens();
      seconds += m.seconds();
      sync += m.syncSeconds();
      wait += m.dataWaitSeconds();
    }
    return new Measured(runs.getFirst().workers(), positions, tokens, seconds, sync, wait);
  }

  /**
   * {@code copies} simultaneous {@code mm1 train} runs of {@code workers} workers each; the steps
   * after the warm-up are measured.
   */
  private List<Measured> run(Path work, int workers, int round, int copies) throws Exception {
    var spec = work.resolve("spec-" + workers + ".yaml");
    Files.writeString(spec, spec(workers));
    var processes = new ArrayList<Process>();
    var dirs = new ArrayList<Path>();
    System.out.printf(Locale.ROOT, "round %d: %s ...%n", round + 1,
        copies > 1 ? copies + " independent runs of 1 worker" : workers + " worker(s)");
    for (int copy = 0; copy < copies; copy++) {
      var name = "run-" + workers + "-" + round + "-" + copy + "-of-" + copies;
      var dir = work.resolve(name);
      var args = new ArrayList<>(List.of("-f", spec.toString(), "--run-dir", dir.toString(), "--data-root",
          corpus.toAbsolutePath().toString(), "--threads", "1", "--data-threads", "1"));
      if (workers > 1) {
        args.addAll(List.of("--nproc-per-node", Integer.toString(workers), "--master-port",
          Integer.toString(AllReduceBenchmark.freePort())));
      }
      processes.add(new ProcessBuilder(JavaCommand.of(TrainCommand.class, List.of(), args)).redirectErrorStream(true)
          .redirectOutput(work.resolve(name + ".log").toFile()).start());
      dirs.add(dir);
    }
    var out = new ArrayList<Measured>();
    for (int copy = 0; copy < copies; copy++) {
      var process = processes.get(copy);
      if (!process.waitFor(2, TimeUnit.HOURS) || process.exitValue() != 0) {
        processes.forEach(Process::destroyForcibly);
        throw new IllegalStateException("a " + workers + "-worker run failed (exit " + process.exitValue() + "):\n"
            + Files.readString(work.resolve(dirs.get(copy).getFileName() + ".log")));
      }
      out.add(measured(dirs.get(copy), workers));
    }
    return out;
  }

  private Measured measured(Path dir, int workers) throws IOException {
    long positions = 0;
    long tokens = 0;
    double seconds = 0;
    double sync = 0;
    double wait = 0;
    for (var line : Files.readAllLines(dir.resolve("metrics.jsonl"))) {
      var metrics = JSON.readTree(line);
      if (metrics.get("step").asLong() <= warmup) {
        continue;
      }
      double stepSeconds = metrics.get("step_time_s").asDouble();
      tokens += Math.round(metrics.get("tokens_per_s").asDouble() * stepSeconds);
      positions += (long) microBatch * workers * sequenceLength;
      seconds += stepSeconds;
      sync += metrics.path("parallel/sync_s").asDouble(0);
      wait += metrics.get("data_wait_s").asDouble();
    }
    return new Measured(workers, positions, tokens, seconds, sync, wait);
  }

  /** The same data and model for both; the global batch is the micro-batch times the workers, one micro-batch each. */
  private String spec(int workers) {
    return String.join("\n",
        "apiVersion: mm1.dev/v1alpha1",
        "kind: MM1Training",
        "metadata:",
        "  name: bench-ddp",
        "spec:",
        "  stage: Pretrain",
        "  model:",
        "    preset: " + preset,
        "  data:",
        "    sources:",
        "      - {name: captions, kind: Caption, shards: file:///data/caption, weight: 45}",
        "      - {name: interleaved, kind: Interleaved, shards: file:///data/interleaved, weight: 45}",
        "      - {name: text, kind: Text, shards: file:///data/text, weight: 10}",
        "    sequenceLength: " + sequenceLength,
        "    maxImagesPerSequence: 4",
        "    seed: 1",
        "  optimization:",
        "    steps: " + (warmup + steps),
        "    globalBatchSize: " + microBatch * workers,
        "    microBatchSize: " + microBatch,
        "    learningRate: 1.0e-4",
        "    warmupSteps: 0",
        "  dataParallel:",
        "    zeroStage: " + (zero ? 1 : 0),
        "  checkpoints:",
        "    uri: file:///checkpoints/bench-ddp",
        "    everySteps: 1000000",
        "");
  }
}
