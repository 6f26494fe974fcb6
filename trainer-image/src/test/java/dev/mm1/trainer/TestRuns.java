package dev.mm1.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.mm1.api.config.TrainerConfig;
import dev.mm1.api.v1alpha1.CheckpointSpec;
import dev.mm1.api.v1alpha1.DataSourceKind;
import dev.mm1.api.v1alpha1.DataSpec;
import dev.mm1.api.v1alpha1.MM1Training;
import dev.mm1.api.v1alpha1.MM1TrainingSpec;
import dev.mm1.api.v1alpha1.ModelPreset;
import dev.mm1.api.v1alpha1.ModelSpec;
import dev.mm1.api.v1alpha1.OptimizationSpec;
import dev.mm1.api.v1alpha1.TrainingStage;
import dev.mm1.trainer.checkpoint.CheckpointDirectory;
import dev.mm1.trainer.config.TrainingJob;
import dev.mm1.trainer.data.TestCorpus;
import dev.mm1.trainer.loop.SingleProcess;
import dev.mm1.trainer.loop.Trainer;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small trainings on the test corpus, run in this JVM or as a real process. */
public final class TestRuns {
  static final ObjectMapper JSON = new ObjectMapper();
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private TestRuns() {}

  /** A pre-training of {@code preset} on the MM1 mixture of the test corpus, short sequences, 1 thread. */
  public static MM1Training pretraining(String name, ModelPreset preset, long steps) {
    var spec = new MM1TrainingSpec();
    spec.stage = TrainingStage.Pretrain;
    spec.model = new ModelSpec();
    spec.model.preset = preset;
    spec.data = TestCorpus.pretraining(128, 4);
    spec.data.imageResolution = null; // the encoder's 32 px, the corpus's resolution
    spec.optimization = new OptimizationSpec();
    spec.optimization.steps = steps;
    spec.optimization.globalBatchSize = 4;
    spec.optimization.microBatchSize = 2;
    spec.optimization.learningRate = 2e-3;
    spec.optimization.warmupSteps = Math.min(5L, steps);
    spec.checkpoints = new CheckpointSpec();
    spec.checkpoints.everySteps = 1000L;
    spec.checkpoints.keepLast = 2;
    spec.checkpoints.uri = "file:///checkpoints/" + name; // where a cluster keeps them; locally the run directory
    var training = new MM1Training();
    training.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("test").withUid("uid-" + name).build());
    training.setSpec(spec);
    return training;
  }

  /** An SFT on the test corpus's conversations. */
  public static MM1Training sft(String name, long steps) {
    var training = pretraining(name, ModelPreset.TINY, steps);
    var spec = training.getSpec();
    spec.stage = TrainingStage.SFT;
    var data = new DataSpec();
    data.sources = List.of(TestCorpus.source("conversations", DataSourceKind.SFT, "sft", 1));
    data.sequenceLength = 128;
    data.maxImagesPerSequence = 2;
    data.seed = 3L;
    spec.data = data;
    spec.optimization.learningRate = 5e-4;
    return training;
  }

  public static TrainingJob job(MM1Training training, Path dir, TrainingJob.InitCheckpoint init,
      TrainingJob.Reporting reporting) {
    var rendered = TrainerConfig.render(training, dir.toString(), null);
    return new TrainingJob(training.getSpec(), rendered.json(), dir, dir, init, training.getMetadata().getName(), 1,
        reporting);
  }

  /** A run in this JVM; its stderr is returned beside the result (or the failure). */
  public record InProcess(Trainer.Result result, String log) {}

  public static InProcess run(TrainingJob job) throws IOException {
    var bytes = new ByteArrayOutputStream();
    try (var err = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      var result = new Trainer(job, new SingleProcess(), err, Instant.now(), 1).run();
      return new InProcess(result, bytes.toString(StandardCharsets.UTF_8));
    }
  }

  /** Every line of a metrics.jsonl, in order. */
  public static List<JsonNode> metrics(Path dir) throws IOException {
    var out = new ArrayList<JsonNode>();
    for (var line : Files.readAllLines(dir.resolve("metrics.jsonl"))) {
      out.add(JSON.readTree(line));
    }
    return out;
  }

  /** The last recorded loss of every step (a resumed run records recomputed steps again). */
  public static Map<Long, String> lossByStep(Path dir) throws IOException {
    var out = new LinkedHashMap<Long, String>();
    for (var line : metrics(dir)) {
      out.put(line.get("step").asLong(), line.get("loss").asText());
    }
    return out;
  }

  /** Writes {@code training} as a YAML spec file whose shards are under file:///data (mapped by --data-root). */
  public static Path specFile(MM1Training training, Path file) throws IOException {
    var tree = YAML.valueToTree(training);
    ((com.fasterxml.jackson.databind.node.ObjectNode) tree).put("apiVersion", "mm1.dev/v1alpha1").put("kind", "MM1Training");
    var metadata = (com.fasterxml.jackson.databind.node.ObjectNode) tree.get("metadata");
    metadata.retain("name");
    for (var source : tree.path("spec").path("data").path("sources")) {
      var shards = source.get("shards").asText();
      var relative = TestCorpus.root().relativize(Path.of(java.net.URI.create(shards)));
      ((com.fasterxml.jackson.databind.node.ObjectNode) source).put("shards", "file:///data/" + relative);
    }
    ((com.fasterxml.jackson.databind.node.ObjectNode) tree).remove("status");
    Files.writeString(file, YAML.writeValueAsString(tree));
    return file;
  }

  /** {@code mm1 train -f spec} as a real JVM process on this test classpath, stderr to {@code log}. */
  public static Process start(Path spec, Path runDir, Path log, String... extra) throws IOException {
    var command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--enable-native-access=ALL-UNNAMED", "-Xmx1g", "-cp", System.getProperty("java.class.path"),
        TrainCommand.class.getName(), "-f", spec.toString(), "--run-dir", runDir.toString(),
        "--data-root", TestCorpus.root().toString(), "--threads", "1"));
    command.addAll(List.of(extra));
    var builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("OPT_OUT_TRACKING", "true");
    builder.environment().remove("MM1_CONTROL_PLANE_URL");
    return builder.start();
  }

  /** A run directory as it was after {@code step}: its checkpoints up to then and its metrics. */
  public static void runAsOf(Path from, Path to, long step) throws IOException {
    var checkpoints = new CheckpointDirectory(from);
    for (long saved : checkpoints.steps()) {
      if (saved <= step) {
        var source = from.resolve(CheckpointDirectory.name(saved));
        var target = to.resolve(CheckpointDirectory.name(saved));
        Files.createDirectories(target);
        try (var files = Files.list(source)) {
          for (var file : files.toList()) {
            Files.copy(file, target.resolve(file.getFileName()));
          }
        }
      }
    }
    var metrics = new ArrayList<String>();
    for (var line : Files.readAllLines(from.resolve("metrics.jsonl"))) {
      if (JSON.readTree(line).get("step").asLong() <= step) {
        metrics.add(line);
      }
    }
    Files.write(to.resolve("metrics.jsonl"), metrics);
  }
}
