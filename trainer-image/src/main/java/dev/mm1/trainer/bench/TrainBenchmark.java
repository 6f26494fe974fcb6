package dev.mm1.trainer.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import com.google.gson.JsonObject;
import dev.mm1.api.config.TrainerConfig;
import dev.mm1.api.v1alpha1.CheckpointSpec;
import dev.mm1.api.v1alpha1.DataSourceKind;
import dev.mm1.api.v1alpha1.DataSourceSpec;
import dev.mm1.api.v1alpha1.DataSpec;
import dev.mm1.api.v1alpha1.MM1Training;
import dev.mm1.api.v1alpha1.MM1TrainingSpec;
import dev.mm1.api.v1alpha1.ModelPreset;
import dev.mm1.api.v1alpha1.ModelSpec;
import dev.mm1.api.v1alpha1.OptimizationSpec;
import dev.mm1.api.v1alpha1.TrainingStage;
import dev.mm1.model.MM1Model;
import dev.mm1.model.bench.ModelBenchmark;
import dev.mm1.model.config.FlopCounts;
import dev.mm1.model.tokenizer.MM1Tokenizer;
import dev.mm1.trainer.TrainCommand;
import dev.mm1.trainer.config.TrainingJob;
import dev.mm1.trainer.data.DataPipeline;
import dev.mm1.trainer.data.synth.CorpusGenerator;
import dev.mm1.trainer.data.synth.CorpusSize;
import dev.mm1.trainer.loop.SingleProcess;
import dev.mm1.trainer.loop.Trainer;
import dev.mm1.trainer.model.ModelSpecs;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./mm1 bench train --preset small}: whole training steps (data, forward, backward, AdamW,
 * gradient accumulation, all through the real trainer) in tokens/s, beside forward+backward alone
 * on the same kind of batches and the fp32 matMul roofline, all measured in one run. Forward and
 * backward are timed before and after the training so that a machine whose speed drifts is
 * bracketed. Prints a table, then one JSON object on the last line.
 */
@Command(name = "bench train", mixinStandardHelpOptions = true,
    description = "Whole training steps in tokens/s beside forward+backward alone and the fp32 roofline")
public final class TrainBenchmark implements Callable<Integer> {
  @Option(names = "--preset", defaultValue = "small", description = "model preset (default ${DEFAULT-VALUE})")
  String preset;

  @Option(names = "--steps", defaultValue = "5", description = "optimizer steps timed after one warm-up (default ${DEFAULT-VALUE})")
  int steps;

  @Option(names = "--global-batch", defaultValue = "8", description = "sequences per optimizer step (default ${DEFAULT-VALUE})")
  int globalBatch;

  @Option(names = "--micro-batch", defaultValue = "2", description = "sequences per forward/backward (default ${DEFAULT-VALUE})")
  int microBatch;

  @Option(names = "--sequence-length", defaultValue = "256", description = "positions per sequence (default ${DEFAULT-VALUE})")
  int sequenceLength;

  @Option(names = "--threads", description = "libtorch threads (default: all cores)")
  Integer threads;

  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    System.exit(new CommandLine(new TrainBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    TrainCommand.configureEngine(threads != null ? threads : Runtime.getRuntime().availableProcessors());
    var target = Files.createDirectories(Path.of("target"));
    var work = Files.createTempDirectory(target, "bench-train-");
    var presetEnum = java.util.Arrays.stream(ModelPreset.values())
        .filter(p -> ModelSpecs.presetName(p).equals(preset)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown preset '" + preset + "'"));
    var training = training(presetEnum, work, target);
    var spec = training.getSpec();
    var config = ModelSpecs.toConfig(spec.model, spec.data);
    System.err.printf("bench train: %s, global batch %d as %d x %d, %d positions%n", preset, globalBatch,
        globalBatch / microBatch, microBatch, sequenceLength);

    double roofline;
    double[] before;
    double[] after;
    try (var manager = NDManager.newBaseManager()) {
      roofline = ModelBenchmark.matMulFlops(manager, 2048);
      before = forwardBackward(config, spec.data, manager);
    }
    // The real trainer: data pipeline with prefetching, accumulation, AdamW, metrics; one warm-up step.
    var runDir = work.resolve("run");
    var rendered = TrainerConfig.render(training, runDir.toString(), null);
    var job = new TrainingJob(spec, rendered.json(), runDir, runDir, null, "bench", 1, null);
    new Trainer(job, new SingleProcess(), new PrintStream(System.err), Instant.now(), 1).run();
    double trainTokens = 0;
    double trainSeconds = 0;
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    var lines = Files.readAllLines(runDir.resolve("metrics.jsonl"));
    for (var line : lines.subList(1, lines.size())) {
      var node = json.readTree(line);
      trainSeconds += node.get("step_time_s").asDouble();
      trainTokens += node.get("tokens_per_s").asDouble() * node.get("step_time_s").asDouble();
    }
    try (var manager = NDManager.newBaseManager()) {
      after = forwardBackward(config, spec.data, manager);
      roofline = Math.max(roofline, ModelBenchmark.matMulFlops(manager, 2048));
    }
    double trainRate = trainTokens / trainSeconds;
    double fbRate = (before[0] + after[0]) / (before[1] + after[1]);
    double flopsPerToken = (before[2] + after[2]) / (before[0] + after[0]);
    double trainFlops = trainRate * flopsPerToken;
    System.out.printf("forward+backward alone: %,10.1f tokens/s (before %,.1f, after %,.1f)%n", fbRate,
        before[0] / before[1], after[0] / after[1]);
    System.out.printf("whole training steps:   %,10.1f tokens/s (%d steps, data + accumulation + AdamW)%n", trainRate,
        steps);
    System.out.printf("ratio training / forward+backward: %.3f (goal >= 0.90)%n", trainRate / fbRate);
    System.out.printf("fp32 matMul roofline %.1f GFLOP/s; training %.1f GFLOP/s: ratio %.3f (goal >= 0.45)%n",
        roofline / 1e9, trainFlops / 1e9, trainFlops / roofline);
    var out = new JsonObject();
    out.addProperty("benchmark", "train");
    out.addProperty("preset", preset);
    out.addProperty("trainTokensPerSecond", trainRate);
    out.addProperty("forwardBackwardTokensPerSecond", fbRate);
    out.addProperty("ratioToForwardBackward", trainRate / fbRate);
    out.addProperty("rooflineFlopPerSecond", roofline);
    out.addProperty("trainFlopPerSecond", trainFlops);
    out.addProperty("ratioToRoofline", trainFlops / roofline);
    System.out.println(out);
    return 0;
  }

  private MM1Training training(ModelPreset preset, Path work, Path target) throws Exception {
    var config = dev.mm1.model.config.Presets.get(this.preset);
    int resolution = config.encoder().resolution();
    // The shapes-world corpus at the encoder's resolution, made once and kept under target/.
    var corpus = target.resolve("bench-corpus-" + resolution);
    if (!Files.exists(corpus.resolve("corpus.json"))) {
      new CorpusGenerator(corpus, 1, CorpusSize.SMALL, resolution).generate();
    }
    var data = new DataSpec();
    data.sources = List.of(source("captions", DataSourceKind.Caption, corpus.resolve("caption"), 45),
        source("interleaved", DataSourceKind.Interleaved, corpus.resolve("interleaved"), 45),
        source("text", DataSourceKind.Text, corpus.resolve("text"), 10));
    data.sequenceLength = sequenceLength;
    data.maxImagesPerSequence = 4;
    data.seed = 1L;
    var spec = new MM1TrainingSpec();
    spec.stage = TrainingStage.Pretrain;
    spec.model = new ModelSpec();
    spec.model.preset = preset;
    spec.data = data;
    spec.optimization = new OptimizationSpec();
    spec.optimization.steps = (long) steps + 1;
    spec.optimization.globalBatchSize = globalBatch;
    spec.optimization.microBatchSize = microBatch;
    spec.optimization.learningRate = 1e-4;
    spec.checkpoints = new CheckpointSpec();
    spec.checkpoints.everySteps = 1_000_000L;
    spec.checkpoints.keepLast = 1;
    var training = new MM1Training();
    training.setMetadata(new ObjectMetaBuilder().withName("bench").withNamespace("bench").withUid("bench").build());
    training.setSpec(spec);
    return training;
  }

  private static DataSourceSpec source(String name, DataSourceKind kind, Path dir, double weight) {
    var source = new DataSourceSpec();
    source.name = name;
    source.kind = kind;
    source.shards = dir.toUri().toString();
    source.weight = weight;
    return source;
  }

  /** Forward+backward of the micro-batches of as many global batches as the training steps; {tokens, seconds, flops}. */
  private double[] forwardBackward(dev.mm1.model.config.MM1Config config, DataSpec data, NDManager manager) {
    var model = new MM1Model(config);
    model.initialize(manager, 1);
    var store = new ParameterStore(manager, false);
    double tokens = 0;
    double seconds = 0;
    double flops = 0;
    try (var tokenizer = MM1Tokenizer.load();
        var pipeline = DataPipeline.builder(data).tokenizer(tokenizer).imageTokens(config.connector().imageTokens())
            .defaultResolution(config.encoder().resolution()).batchSize(globalBatch).build()) {
      var batches = new ArrayList<dev.mm1.trainer.data.Batch>();
      for (int i = 0; i < steps; i++) {
        batches.add(pipeline.nextBatch());
      }
      boolean warm = false;
      for (var batch : batches) {
        for (int m = 0; m < globalBatch / microBatch; m++) {
          var rows = batch.sequences().subList(m * microBatch, (m + 1) * microBatch);
          try (var step = manager.newSubManager()) {
            var input = Trainer.modelBatch(rows, config, true, step);
            int targets = model.targetCount(input);
            long start = System.nanoTime();
            try (var collector = Engine.getInstance().newGradientCollector()) {
              collector.backward(model.trainingLoss(store, input, step, 1.0 / targets, 1.0).objective());
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            if (!warm) {
              warm = true; // the first pass allocates and plans
              continue;
            }
            seconds += elapsed;
            for (var row : rows) {
              tokens += row.usedTokens();
            }
            int images = input.images() == null ? 0 : (int) input.images().getShape().get(0);
            flops += 3 * FlopCounts.forward(config, rows.size(), sequenceLength, images);
          }
        }
      }
    }
    return new double[] {tokens, seconds, flops};
  }
}
