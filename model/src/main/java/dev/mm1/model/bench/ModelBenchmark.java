package dev.mm1.model.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import com.google.gson.JsonObject;
import dev.mm1.model.MM1Model;
import dev.mm1.model.MultimodalBatch;
import dev.mm1.model.config.FlopCounts;
import dev.mm1.model.config.Presets;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./mm1 bench model --preset small}: forward+backward throughput of a preset in float32 on
 * this machine's CPU, against a plain large float32 matrix product measured in the same run on
 * the same engine and threads (the roofline). Prints a table, then one JSON object on the last line.
 */
@Command(name = "bench model", mixinStandardHelpOptions = true,
    description = "Forward+backward tokens/s and FLOP/s of a preset beside a float32 matMul roofline")
public final class ModelBenchmark implements Callable<Integer> {
  @Option(names = "--preset", defaultValue = "small", description = "model preset (default ${DEFAULT-VALUE})")
  String preset;

  @Option(names = "--batch", defaultValue = "2", description = "sequences per step, one image each")
  int batch;

  @Option(names = "--text-tokens", defaultValue = "192", description = "text tokens per sequence")
  int textTokens;

  @Option(names = "--steps", defaultValue = "4", description = "measured steps (after one warm-up step)")
  int steps;

  @Option(names = "--threads", description = "libtorch intra-op threads (default: all cores)")
  Integer threads;

  @Option(names = "--matmul-size", defaultValue = "2048", description = "side n of the n×n×n roofline matMul")
  int matmulSize;

  public static void main(String[] args) {
    var line = new CommandLine(new ModelBenchmark());
    line.setExecutionExceptionHandler((exception, commandLine, parseResult) -> {
      if (exception instanceof IllegalArgumentException) {
        commandLine.getErr().println("mm1 bench model: " + exception.getMessage());
        return 2;
      }
      throw exception;
    });
    System.exit(line.execute(args));
  }

  @Override
  public Integer call() {
    if (batch < 1 || textTokens < 2 || steps < 1 || matmulSize < 64) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "--batch >= 1, --text-tokens >= 2, --steps >= 1 and --matmul-size >= 64 are required");
    }
    int cores = threads != null ? threads : Runtime.getRuntime().availableProcessors();
    dev.mm1.model.EngineSettings.configure(cores);
    var config = Presets.get(preset);
    int imageTokens = config.connector().imageTokens();
    int length = textTokens + imageTokens;
    double stepFlops = 3 * FlopCounts.forward(config, batch, length, batch);

    try (var manager = NDManager.newBaseManager()) {
      // The roofline is sampled before every step and after the last, and the best sample kept:
      // on a shared machine a single sample can land in a quiet or a busy moment.
      double roofline = 0;
      var model = new MM1Model(config);
      model.initialize(manager, 1);
      var store = new ParameterStore(manager, false);
      var tokens = tokens(config.decoder().vocabSize(), Presets.IMAGE_TOKEN);
      int size = config.encoder().resolution();
      var seconds = new double[steps];
      for (int step = -1; step < steps; step++) {
        roofline = Math.max(roofline, matMulFlops(manager, matmulSize));
        try (var sub = manager.newSubManager()) {
          var images = sub.randomUniform(-1, 1, new Shape(batch, 3, size, size));
          long start = System.nanoTime();
          try (var collector = Engine.getInstance().newGradientCollector()) {
            var out = model.forward(store, MultimodalBatch.of(tokens, images), sub, true);
            collector.backward(out.loss());
          }
          if (step >= 0) {
            seconds[step] = (System.nanoTime() - start) / 1e9;
          }
        }
        for (var parameter : model.trainableParameters()) {
          try (var gradient = parameter.getArray().getGradient()) {
            gradient.muli(0);
          }
        }
      }
      roofline = Math.max(roofline, matMulFlops(manager, matmulSize));
      double median = median(seconds);
      double achieved = stepFlops / median;
      double tokensPerSecond = batch * (double) length / median;
      System.out.printf("preset %s, %d threads, batch %d x %d positions (%d image tokens), %d steps%n", preset, cores,
          batch, length, imageTokens, steps);
      System.out.printf("forward+backward step: median %.3f s (all: %s)%n", median, Arrays.toString(seconds));
      System.out.printf("tokens/s: %.1f%n", tokensPerSecond);
      System.out.printf("model FLOP/s: %.2f GFLOP/s (%.1f GFLOP per step)%n", achieved / 1e9, stepFlops / 1e9);
      System.out.printf("fp32 matMul %d^3 roofline: %.2f GFLOP/s (best of samples around every step)%n",
          matmulSize, roofline / 1e9);
      System.out.printf("ratio model / roofline: %.3f%n", achieved / roofline);
      var json = new JsonObject();
      json.addProperty("benchmark", "model");
      json.addProperty("preset", preset);
      json.addProperty("threads", cores);
      json.addProperty("batch", batch);
      json.addProperty("positions", length);
      json.addProperty("stepSeconds", median);
      json.addProperty("tokensPerSecond", tokensPerSecond);
      json.addProperty("modelFlopPerSecond", achieved);
      json.addProperty("rooflineFlopPerSecond", roofline);
      json.addProperty("ratio", achieved / roofline);
      System.out.println(json);
    }
    return 0;
  }

  /** Sequences of one image followed by random text tokens (ids 10.. avoid the special tokens). */
  private int[][] tokens(int vocab, int imageToken) {
    var random = new Random(1);
    var out = new int[batch][textTokens + 1];
    for (var row : out) {
      row[0] = imageToken;
      for (int t = 1; t < row.length; t++) {
        row[t] = 10 + random.nextInt(vocab - 10);
      }
    }
    return out;
  }

  /** Best of several fp32 n×n×n products, as FLOP/s: the roofline other measurements are compared with. */
  public static double matMulFlops(NDManager manager, int n) {
    try (var sub = manager.newSubManager()) {
      var a = sub.randomNormal(new Shape(n, n));
      var b = sub.randomNormal(new Shape(n, n));
      a.matMul(b).close(); // warm-up
      double best = Double.MAX_VALUE;
      for (int i = 0; i < 5; i++) {
        long start = System.nanoTime();
        var c = a.matMul(b);
        c.getFloat(0, 0); // wait for the result
        best = Math.min(best, (System.nanoTime() - start) / 1e9);
        c.close();
      }
      return 2.0 * n * n * n / best;
    }
  }

  private static double median(double[] values) {
    var sorted = values.clone();
    Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }
}
