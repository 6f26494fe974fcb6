package dev.mm1.evaluator.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mm1.api.ExitCodes;
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
import dev.mm1.evaluator.EvalCommand;
import dev.mm1.evaluator.ScoreCommand;
import dev.mm1.trainer.checkpoint.CheckpointDirectory;
import dev.mm1.trainer.config.TrainingJob;
import dev.mm1.trainer.data.synth.CorpusGenerator;
import dev.mm1.trainer.data.synth.CorpusSize;
import dev.mm1.trainer.loop.SingleProcess;
import dev.mm1.trainer.loop.Trainer;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ./mm1 eval} end to end: a tiny checkpoint trained here on the shapes world, evaluated on
 * its COCO-format captions and VQAv2-format questions at 0 and 2 shots.
 */
class EvalCommandTest {
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir
  static Path dir;
  static Path corpus;
  static Path checkpoint;
  static Path spec;

  @BeforeAll
  static void trainATinyCheckpoint() throws Exception {
    System.setProperty("java.awt.headless", "true");
    corpus = dir.resolve("data/shapes");
    new CorpusGenerator(corpus, 3, CorpusSize.SMALL, 32).generate();
    var training = new MM1Training();
    training.setMetadata(new ObjectMetaBuilder().withName("tiny").withNamespace("test").withUid("tiny").build());
    var t = new MM1TrainingSpec();
    t.stage = TrainingStage.Pretrain;
    t.model = new ModelSpec();
    t.model.preset = ModelPreset.TINY;
    t.data = new DataSpec();
    t.data.sources = List.of(source("captions", DataSourceKind.Caption, "caption", 1));
    t.data.sequenceLength = 128;
    t.data.maxImagesPerSequence = 4;
    t.optimization = new OptimizationSpec();
    t.optimization.steps = 8L;
    t.optimization.globalBatchSize = 4;
    t.optimization.learningRate = 2e-3;
    t.checkpoints = new CheckpointSpec();
    training.setSpec(t);
    var run = dir.resolve("runs/tiny");
    var job = new TrainingJob(t, TrainerConfig.render(training, run.toString(), null).json(), run, run, null, "tiny", 1, null);
    new Trainer(job, new SingleProcess(), new PrintStream(new ByteArrayOutputStream()), Instant.now(), 1).run();
    checkpoint = new CheckpointDirectory(run).verified(8).dir();
    spec = dir.resolve("eval.yaml");
    Files.writeString(spec, """
        apiVersion: mm1.dev/v1alpha1
        kind: MM1Eval
        metadata:
          name: tiny-eval
        spec:
          checkpoint:
            fromTraining: tiny
          benchmarks:
            - name: captions
              task: Captioning
              dataset: shapes-coco
              uri: file:///data/shapes/eval/captions
              shots: [0, 2]
              maxSamples: 12
              maxNewTokens: 12
            - name: vqa
              task: VQA
              dataset: shapes-vqav2
              uri: file:///data/shapes/eval/vqa
              shots: [0, 2]
              maxSamples: 12
              maxNewTokens: 4
        """);
  }

  static DataSourceSpec source(String name, DataSourceKind kind, String directory, double weight) {
    var source = new DataSourceSpec();
    source.name = name;
    source.kind = kind;
    source.shards = corpus.resolve(directory).toUri().toString();
    source.weight = weight;
    return source;
  }

  record Outcome(int code, String out, String err) {
    JsonNode json() throws Exception {
      var lines = out.strip().split("\n");
      return JSON.readTree(lines[lines.length - 1]);
    }
  }

  /** Runs a command with stdout and stderr captured (the command line is made after: picocli binds them then). */
  static Outcome run(java.util.function.Supplier<CommandLine> command, String... args) {
    var stdout = new ByteArrayOutputStream();
    var stderr = new ByteArrayOutputStream();
    var originalOut = System.out;
    var originalErr = System.err;
    System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
    try {
      int code = command.get().execute(args);
      return new Outcome(code, stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(originalOut);
      System.setErr(originalErr);
    }
  }

  static Outcome eval(Path out, String... extra) {
    var args = new ArrayList<>(List.of("-f", spec.toString(), "--data-root", dir.resolve("data").toString(),
        "--runs-root", dir.resolve("runs").toString(), "--out", out.toString(), "--threads", "1"));
    args.addAll(List.of(extra));
    return run(() -> new CommandLine(new EvalCommand()), args.toArray(String[]::new));
  }

  @Test
  void evaluatesEveryBenchmarkAtEveryShotCountWritingPredictionsAndAReport() throws Exception {
    var out = dir.resolve("out");
    var outcome = eval(out);
    assertThat(outcome.code()).as(outcome.err()).isZero();
    var results = outcome.json().get("results");
    assertThat(results).hasSize(4);
    assertThat(outcome.json().get("step").asLong()).isEqualTo(8); // fromTraining resolved to the newest checkpoint
    for (var result : results) {
      assertThat(result.get("samples").asInt()).isEqualTo(12);
      assertThat(result.get("value").asDouble()).isBetween(0.0, 100.0);
    }
    var report = JSON.readTree(out.resolve("report.json").toFile());
    assertThat(report.get("results")).hasSize(4);

    // The predictions are in the public formats: ./mm1 score reads them back to the same score
    // against the references of the 12 images scored.
    var captions = results.get(1); // captions at 2 shots
    assertThat(captions.get("metric").asText()).isEqualTo("cider-d");
    var predictions = JSON.readTree(out.resolve("predictions/captions-2shot.json").toFile());
    var ids = new java.util.HashSet<Long>();
    predictions.forEach(p -> ids.add(p.get("image_id").asLong()));
    var references = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(
        corpus.resolve("eval/captions/captions_test.json").toFile());
    var images = JSON.createArrayNode();
    references.get("images").forEach(i -> {
      if (ids.contains(i.get("id").asLong())) {
        images.add(i);
      }
    });
    var annotations = JSON.createArrayNode();
    references.get("annotations").forEach(a -> {
      if (ids.contains(a.get("image_id").asLong())) {
        annotations.add(a);
      }
    });
    references.set("images", images);
    references.set("annotations", annotations);
    var subset = dir.resolve("captions-subset.json");
    JSON.writeValue(subset.toFile(), references);
    var rescored = run(ScoreCommand::commandLine, "caption", "--references", subset.toString(), "--predictions",
        out.resolve("predictions/captions-2shot.json").toString(), "--allow-empty-predictions");
    assertThat(rescored.code()).as(rescored.err()).isZero();
    assertThat(rescored.json().get("cider_x100").asDouble()).isEqualTo(captions.get("value").asDouble());
    var vqaPredictions = JSON.readTree(out.resolve("predictions/vqa-0shot.json").toFile());
    assertThat(vqaPredictions).hasSize(12);
    assertThat(vqaPredictions.get(0).has("question_id")).isTrue();
  }

  @Test
  void batchedGenerationGivesThePredictionsOfOneQueryAtATime() throws Exception {
    var batched = dir.resolve("batched");
    var single = dir.resolve("single");
    assertThat(eval(batched, "--batch", "8").code()).isZero();
    assertThat(eval(single, "--batch", "1").code()).isZero();
    for (var name : List.of("captions-0shot.json", "captions-2shot.json", "vqa-0shot.json", "vqa-2shot.json")) {
      assertThat(Files.readString(batched.resolve("predictions").resolve(name)))
          .as(name).isEqualTo(Files.readString(single.resolve("predictions").resolve(name)));
    }
  }

  @Test
  void aCheckpointWhoseManifestDoesNotVerifyIsRefused() throws Exception {
    var copy = dir.resolve("damaged/step-000000008");
    Files.createDirectories(copy);
    try (var files = Files.list(checkpoint)) {
      for (var file : files.toList()) {
        Files.copy(file, copy.resolve(file.getFileName()));
      }
    }
    try (var file = new RandomAccessFile(copy.resolve("model.safetensors").toFile(), "rw")) {
      file.seek(file.length() - 5);
      file.write(7);
    }
    var outcome = eval(dir.resolve("refused"), "--checkpoint", copy.toString());
    assertThat(outcome.code()).isEqualTo(ExitCodes.INCOMPATIBLE_CHECKPOINT);
    assertThat(outcome.err()).contains("model.safetensors").contains("corrupted");
  }

  @Test
  void aMissingImageIsNamed() throws Exception {
    var data = dir.resolve("broken-data/shapes/eval");
    copyTree(corpus.resolve("eval"), data);
    Path victim;
    try (var images = Files.list(data.resolve("vqa/images"))) {
      victim = images.sorted().findFirst().orElseThrow();
    }
    Files.delete(victim);
    var args = List.of("-f", spec.toString(), "--data-root", dir.resolve("broken-data").toString(), "--runs-root",
        dir.resolve("runs").toString(), "--out", dir.resolve("missing").toString(), "--threads", "1");
    var outcome = run(() -> new CommandLine(new EvalCommand()), args.toArray(String[]::new));
    assertThat(outcome.code()).isEqualTo(ExitCodes.INVALID_CONFIG);
    assertThat(outcome.err()).contains(victim.getFileName().toString());
  }

  @Test
  void resultsThatCannotReachTheControlPlaneAreSpooledAndTheExitCodeSaysSo() throws Exception {
    int port;
    try (var socket = new java.net.ServerSocket(0)) {
      port = socket.getLocalPort(); // closed again: nothing listens there
    }
    var out = dir.resolve("undelivered");
    var outcome = eval(out, "--control-plane", "http://127.0.0.1:" + port, "--run-id", "7", "--report-timeout", "2");
    assertThat(outcome.code()).isEqualTo(ExitCodes.UNDELIVERED);
    assertThat(outcome.err()).contains("spooled in " + out);
    assertThat(Files.readString(out.resolve("events.jsonl"))).contains("\"kind\":\"results\"").contains("cider-d");
    assertThat(outcome.json().get("results")).hasSize(4); // the results are printed all the same
  }

  static void copyTree(Path from, Path to) throws Exception {
    try (var walk = Files.walk(from)) {
      for (var path : walk.toList()) {
        var target = to.resolve(from.relativize(path).toString());
        if (Files.isDirectory(path)) {
          Files.createDirectories(target);
        } else {
          Files.copy(path, target);
        }
      }
    }
  }
}
