package dev.mm1.trainer.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import com.google.gson.JsonObject;
import dev.mm1.model.MM1Model;
import dev.mm1.model.MultimodalBatch;
import dev.mm1.model.config.Presets;
import dev.mm1.model.io.ModelWeights;
import dev.mm1.model.io.TensorMapping;
import dev.mm1.trainer.TrainCommand;
import dev.mm1.trainer.checkpoint.CheckpointDirectory;
import dev.mm1.trainer.checkpoint.CheckpointWriter;
import dev.mm1.trainer.checkpoint.TrainerState;
import dev.mm1.trainer.checkpoint.TrainingSnapshot;
import dev.mm1.trainer.optim.AdamW;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./mm1 bench checkpoint --preset small}: how fast a training checkpoint (weights, both
 * AdamW moments, trainer state; sha256 of every file, fsync, atomic rename) is written, beside a
 * plain sequential write + fsync of the same number of bytes in the same run (rounds interleaved,
 * so a machine whose speed drifts slows both alike); the stall a background checkpoint adds to the
 * training step that follows it; and the time to verify and load a checkpoint. Prints a table,
 * then one JSON object on the last line.
 */
@Command(name = "bench checkpoint", mixinStandardHelpOptions = true,
    description = "Checkpoint write MB/s beside a plain write+fsync, the stall it adds to a step, verify+load time")
public final class CheckpointBenchmark implements Callable<Integer> {
  @Option(names = "--preset", defaultValue = "small", description = "model preset (default ${DEFAULT-VALUE})")
  String preset;

  @Option(names = "--dir", description = "directory to write into (default: a temporary directory under ./target)")
  Path dir;

  @Option(names = "--rounds", defaultValue = "3", description = "interleaved rounds of each write (default ${DEFAULT-VALUE})")
  int rounds;

  @Option(names = "--steps", defaultValue = "4", description = "training steps timed with and without a checkpoint")
  int steps;

  @Option(names = "--threads", description = "libtorch threads (default: all cores)")
  Integer threads;

  public static void main(String[] args) {
    System.exit(new CommandLine(new CheckpointBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    TrainCommand.configureEngine(threads != null ? threads : Runtime.getRuntime().availableProcessors());
    var root = dir != null ? dir : Files.createTempDirectory(Files.createDirectories(Path.of("target")), "bench-checkpoint-");
    var config = Presets.get(preset);
    try (var manager = NDManager.newBaseManager()) {
      var model = new MM1Model(config);
      model.initialize(manager, 1);
      var trainable = new LinkedHashMap<String, Parameter>();
      model.namedParameters().forEach((name, p) -> {
        if (p.requiresGradient()) {
          trainable.put(name, p);
        }
      });
      var adam = new AdamW(manager, trainable, 0.9, 0.95, 1e-8, 0.1);
      var store = new ParameterStore(manager, false);
      var batch = batch(config, manager);
      step(model, store, adam, batch, manager); // real moments, and a warm engine
      var state = new TrainerState(TrainerState.FORMAT, 1, 0, 1, "bench", null, "{}", 1, 1, 0, 0, Instant.now().toString(), null, null);

      // 1. Write throughput, interleaved with a plain write + fsync of the same bytes.
      var directory = new CheckpointDirectory(root.resolve("checkpoints"));
      directory.prepare();
      var checkpointSeconds = new double[rounds];
      var plainSeconds = new double[rounds];
      long bytes = 0;
      for (int r = 0; r < rounds; r++) {
        try (var writer = new CheckpointWriter(directory, 1, c -> { })) {
          long start = System.nanoTime();
          writer.submit(TrainingSnapshot.of(r + 1, model, adam, state));
          writer.awaitIdle();
          checkpointSeconds[r] = (System.nanoTime() - start) / 1e9;
        }
        bytes = directory.verified(r + 1).manifest().bytes();
        plainSeconds[r] = plainWrite(root.resolve("plain.bin"), bytes);
      }
      double checkpointRate = bytes / median(checkpointSeconds) / 1e6;
      double plainRate = bytes / median(plainSeconds) / 1e6;

      // 2. The stall: steps without a checkpoint beside steps right after a background checkpoint began.
      var plainSteps = new double[steps];
      var checkpointSteps = new double[steps];
      var waits = new double[steps];
      try (var writer = new CheckpointWriter(directory, 1, c -> { })) {
        for (int i = 0; i < steps; i++) {
          plainSteps[i] = step(model, store, adam, batch, manager);
          long start = System.nanoTime();
          writer.submit(TrainingSnapshot.of(100 + i, model, adam, state));
          double submit = (System.nanoTime() - start) / 1e9;
          var timing = stepWithFence(model, store, adam, batch, manager, writer);
          checkpointSteps[i] = submit + timing[0];
          waits[i] = submit + timing[1];
          writer.awaitIdle();
        }
      }
      double step = median(plainSteps);
      double stall = Math.max(0, median(checkpointSteps) - step);

      // 3. Verify (sha256 of every file) and load weights and moments into a fresh model.
      long start = System.nanoTime();
      var checkpoint = directory.latestValid(w -> { }).orElseThrow();
      double verify = (System.nanoTime() - start) / 1e9;
      var fresh = new MM1Model(config);
      fresh.initialize(manager, 2);
      start = System.nanoTime();
      ModelWeights.load(fresh, checkpoint.model(), TensorMapping.identity(), true);
      double load = (System.nanoTime() - start) / 1e9;

      System.out.printf("preset %s: %.1f MB checkpoint (weights + 2 moments), %d rounds%n", preset, bytes / 1e6, rounds);
      System.out.printf("checkpoint write: %8.1f MB/s (median %.2f s; sha256, fsync, rename)%n", checkpointRate,
          median(checkpointSeconds));
      System.out.printf("plain write+fsync: %7.1f MB/s (median %.2f s)%n", plainRate, median(plainSeconds));
      System.out.printf("ratio checkpoint / plain: %.3f (goal >= 0.70)%n", checkpointRate / plainRate);
      System.out.printf("training step %.3f s; with a background checkpoint %.3f s: stall %.3f s = %.1f %% of a step "
          + "(goal <= 5 %%), of which waiting for staging %.3f s%n", step, median(checkpointSteps), stall,
          100 * stall / step, median(waits));
      System.out.printf("verify %.2f s (%.0f MB/s), load weights %.2f s%n", verify, bytes / verify / 1e6, load);
      var json = new JsonObject();
      json.addProperty("benchmark", "checkpoint");
      json.addProperty("preset", preset);
      json.addProperty("bytes", bytes);
      json.addProperty("checkpointMBps", checkpointRate);
      json.addProperty("plainMBps", plainRate);
      json.addProperty("writeRatio", checkpointRate / plainRate);
      json.addProperty("stepSeconds", step);
      json.addProperty("stallSeconds", stall);
      json.addProperty("stallRatio", stall / step);
      json.addProperty("verifySeconds", verify);
      json.addProperty("loadSeconds", load);
      System.out.println(json);
    } finally {
      if (dir == null) {
        deleteTree(root);
      }
    }
    return 0;
  }

  /** Two sequences of 256 tokens with one image each: a training step of the preset's size. */
  static MultimodalBatch batch(dev.mm1.model.config.MM1Config config, NDManager manager) {
    var random = new Random(7);
    var tokens = new int[2][256];
    for (var row : tokens) {
      for (int t = 0; t < row.length; t++) {
        row[t] = 10 + random.nextInt(config.decoder().vocabSize() - 10);
      }
      row[1] = config.imageTokenId();
    }
    int side = config.encoder().resolution();
    var pixels = new float[2 * 3 * side * side];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = random.nextFloat() * 2 - 1;
    }
    return MultimodalBatch.of(tokens, dev.mm1.model.HostArrays.of(manager, pixels, new ai.djl.ndarray.types.Shape(2, 3, side, side)));
  }

  /** One training step (forward, backward, AdamW); seconds. */
  static double step(MM1Model model, ParameterStore store, AdamW adam, MultimodalBatch batch, NDManager manager) {
    return stepWithFence(model, store, adam, batch, manager, null)[0];
  }

  /** A step whose update first waits for a checkpoint's staging; {seconds, seconds waited}. */
  private static double[] stepWithFence(MM1Model model, ParameterStore store, AdamW adam, MultimodalBatch batch,
      NDManager manager, CheckpointWriter writer) {
    long start = System.nanoTime();
    double waited = 0;
    try (var step = manager.newSubManager()) {
      int targets = model.targetCount(batch);
      try (var collector = Engine.getInstance().newGradientCollector()) {
        collector.backward(model.trainingLoss(store, batch, step, 1.0 / targets, 1.0).objective());
      }
      if (writer != null) {
        waited = writer.awaitStaged();
      }
      adam.update(1e-4, 1, step);
    }
    return new double[] {(System.nanoTime() - start) / 1e9, waited};
  }

  /** Writes {@code bytes} bytes sequentially in 4 MiB blocks and fsyncs; seconds. */
  static double plainWrite(Path file, long bytes) throws IOException {
    var block = ByteBuffer.allocateDirect(4 << 20);
    var random = new Random(1);
    while (block.hasRemaining()) {
      block.put((byte) random.nextInt());
    }
    long start = System.nanoTime();
    try (var channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      long written = 0;
      while (written < bytes) {
        block.clear().limit((int) Math.min(block.capacity(), bytes - written));
        while (block.hasRemaining()) {
          written += channel.write(block);
        }
      }
      channel.force(true);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Files.delete(file);
    return seconds;
  }

  static double median(double[] values) {
    var sorted = values.clone();
    Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (var walk = Files.walk(root)) {
      for (var path : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
