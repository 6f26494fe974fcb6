package dev.mm1.evaluator.run;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mm1.api.rest.EvalResultRecord;
import dev.mm1.api.v1alpha1.BenchmarkSpec;
import dev.mm1.api.v1alpha1.BenchmarkTask;
import dev.mm1.api.v1alpha1.DataSpec;
import dev.mm1.api.v1alpha1.DatasetFormat;
import dev.mm1.api.v1alpha1.ModelSpec;
import dev.mm1.evaluator.InvalidInputException;
import dev.mm1.evaluator.benchmark.BenchmarkLoader;
import dev.mm1.evaluator.benchmark.CaptionBenchmark;
import dev.mm1.evaluator.benchmark.VqaBenchmark;
import dev.mm1.evaluator.data.ItemId;
import dev.mm1.evaluator.prompt.AnswerPostProcessor;
import dev.mm1.evaluator.prompt.FewShotPrompt;
import dev.mm1.evaluator.prompt.FewShotPrompter;
import dev.mm1.evaluator.prompt.PromptTemplate;
import dev.mm1.evaluator.score.CaptionScorer;
import dev.mm1.evaluator.score.VqaScorer;
import dev.mm1.model.HostArrays;
import dev.mm1.model.MM1Model;
import dev.mm1.model.MultimodalBatch;
import dev.mm1.model.config.MM1Config;
import dev.mm1.model.io.ModelWeights;
import dev.mm1.model.io.TensorMapping;
import dev.mm1.model.tokenizer.MM1Tokenizer;
import dev.mm1.trainer.checkpoint.Checkpoint;
import dev.mm1.trainer.checkpoint.CheckpointDirectory;
import dev.mm1.trainer.checkpoint.CheckpointException;
import dev.mm1.trainer.checkpoint.TrainerState;
import dev.mm1.trainer.data.image.ImagePreprocessor;
import dev.mm1.trainer.data.image.UndecodableImageException;
import dev.mm1.trainer.model.ModelSpecs;
import dev.mm1.trainer.report.Progress;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates a checkpoint: loads it (refusing one whose manifest does not verify or whose weights
 * do not fit the model), then for every benchmark and shot count lays out the few-shot prompts,
 * generates greedily in batches with the KV cache, post-processes the answers as the benchmark
 * expects, scores them with the official metrics, and writes the predictions in the public result
 * formats and a {@code report.json}. Images are preprocessed exactly as in training (the
 * checkpoint's resolution and sub-image setting).
 */
public final class EvalRunner {
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  /** Decoded images kept for reuse: support images recur across prompts. */
  static final int IMAGE_CACHE = 512;

  /** A checkpoint the evaluator cannot use: damaged, replaced, or of another model. */
  public static final class RefusedCheckpointException extends RuntimeException {
    RefusedCheckpointException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * One benchmark at one shot count.
   *
   * @param benchmark its name
   * @param dataset its dataset name
   * @param shots the shot count
   * @param metric {@code cider-d} or {@code vqa-accuracy}
   * @param value on the 0-100 scale
   * @param samples queries scored
   * @param details the other figures (BLEU-1..4; accuracy per answer type)
   * @param predictions the predictions file
   */
  public record Outcome(String benchmark, String dataset, int shots, String metric, double value, int samples,
      Map<String, Double> details, Path predictions) {}

  /**
   * A whole evaluation.
   *
   * @param checkpoint the checkpoint directory
   * @param step its step
   * @param outcomes every benchmark at every shot count, in spec order
   * @param seconds wall time
   */
  public record Report(Path checkpoint, long step, List<Outcome> outcomes, double seconds) {
    public List<EvalResultRecord> records() {
      return outcomes.stream().map(o -> new EvalResultRecord(o.benchmark(), o.dataset(), o.shots(), o.metric(),
          o.value(), o.samples(), step)).toList();
    }
  }

  private final EvalJob job;
  private final PrintStream err;

  public EvalRunner(EvalJob job, PrintStream err) {
    this.job = job;
    this.err = err;
  }

  public Report run() throws IOException {
    long started = System.nanoTime();
    var checkpoint = verified();
    var state = readState(checkpoint);
    var model = job.model() != null ? job.model() : recordedModel(state);
    var data = recordedData(state);
    MM1Config config;
    try {
      config = ModelSpecs.toConfig(model, data);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(e.getMessage(), e);
    }
    int resolution = data != null && data.imageResolution != null ? data.imageResolution : config.encoder().resolution();
    boolean subImages = data != null && Boolean.TRUE.equals(data.subImageDecomposition);
    var images = new ImagePreprocessor(resolution, subImages);
    Files.createDirectories(job.out().resolve("predictions"));
    var outcomes = new ArrayList<Outcome>();
    try (var manager = NDManager.newBaseManager(); var tokenizer = MM1Tokenizer.load()) {
      var network = new MM1Model(config);
      network.initialize(manager, 0);
      try {
        ModelWeights.load(network, checkpoint.model(), TensorMapping.identity(), true);
      } catch (IllegalArgumentException e) {
        throw new RefusedCheckpointException("checkpoint " + checkpoint.dir() + " does not fit the model "
            + config.name() + ": " + e.getMessage(), e);
      }
      var store = new ParameterStore(manager, false);
      var context = new Context(network, store, manager, tokenizer, images, config);
      int total = 0;
      var loaded = new ArrayList<Object>();
      for (var benchmark : job.benchmarks()) {
        var dataset = load(benchmark);
        loaded.add(dataset);
        int queries = dataset instanceof CaptionBenchmark c ? c.test().size() : ((VqaBenchmark) dataset).test().size();
        total += queries * benchmark.shots.size();
      }
      var progress = new Progress(err, "mm1 eval", Progress.stderrIsTerminal(), 0, total, 50);
      context.progress = progress;
      for (int b = 0; b < job.benchmarks().size(); b++) {
        var benchmark = job.benchmarks().get(b);
        for (int shots : benchmark.shots) {
          outcomes.add(evaluate(benchmark, loaded.get(b), shots, context));
        }
      }
    }
    var report = new Report(checkpoint.dir(), checkpoint.step(), List.copyOf(outcomes), (System.nanoTime() - started) / 1e9);
    writeReport(report);
    return report;
  }

  private Checkpoint verified() {
    Checkpoint checkpoint;
    try {
      checkpoint = CheckpointDirectory.verify(job.checkpoint());
    } catch (CheckpointException e) {
      throw new RefusedCheckpointException("refusing checkpoint: " + e.getMessage(), e);
    }
    if (job.checkpointSha256() != null && !job.checkpointSha256().equals(checkpoint.manifestSha256())) {
      throw new RefusedCheckpointException("refusing checkpoint " + checkpoint.dir() + ": its manifest's sha256 is "
          + checkpoint.manifestSha256() + ", not the " + job.checkpointSha256() + " it was resolved to (replaced)", null);
    }
    return checkpoint;
  }

  private static JsonNode readState(Checkpoint checkpoint) {
    if (!Files.isRegularFile(checkpoint.state())) {
      return null;
    }
    try {
      var state = TrainerState.read(checkpoint.state());
      return state.config();
    } catch (CheckpointException e) {
      throw new RefusedCheckpointException(e.getMessage(), e);
    }
  }

  private static ModelSpec recordedModel(JsonNode config) {
    if (config == null || !config.has("model")) {
      throw new InvalidInputException("spec.model is required: the checkpoint records no model (no trainer-state.json)");
    }
    return JSON.convertValue(config.get("model"), ModelSpec.class);
  }

  private static DataSpec recordedData(JsonNode config) {
    return config == null || !config.has("data") ? null : JSON.convertValue(config.get("data"), DataSpec.class);
  }

  private Object load(BenchmarkSpec benchmark) {
    var directory = job.dataDirectory().apply(benchmark.uri);
    var format = benchmark.format == null ? DatasetFormat.Auto : benchmark.format;
    boolean shuffle = Boolean.TRUE.equals(benchmark.shuffleImages);
    long seed = benchmark.seed == null ? 0 : benchmark.seed;
    if (benchmark.task == BenchmarkTask.Captioning) {
      var captions = BenchmarkLoader.captioning(directory, format).limit(benchmark.maxSamples);
      return shuffle ? captions.withShuffledImages(seed, benchmark.name) : captions;
    }
    var vqa = BenchmarkLoader.vqa(directory, format).limit(benchmark.maxSamples);
    return shuffle ? vqa.withShuffledImages(seed, benchmark.name) : vqa;
  }

  /** What every query needs. */
  private static final class Context {
    final MM1Model model;
    final ParameterStore store;
    final NDManager manager;
    final MM1Tokenizer tokenizer;
    final ImagePreprocessor images;
    final MM1Config config;
    final Map<Path, float[][]> cache = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Path, float[][]> eldest) {
        return size() > IMAGE_CACHE;
      }
    };
    Progress progress;
    long done;

    Context(MM1Model model, ParameterStore store, NDManager manager, MM1Tokenizer tokenizer, ImagePreprocessor images,
        MM1Config config) {
      this.model = model;
      this.store = store;
      this.manager = manager;
      this.tokenizer = tokenizer;
      this.images = images;
      this.config = config;
    }
  }

  private Outcome evaluate(BenchmarkSpec benchmark, Object dataset, int shots, Context context) throws IOException {
    var template = PromptTemplate.of(benchmark);
    var prompter = new FewShotPrompter(context.tokenizer, template, benchmark.seed == null ? 0 : benchmark.seed);
    var post = new AnswerPostProcessor(template);
    var ids = new ArrayList<ItemId>();
    var prompts = new ArrayList<FewShotPrompt>();
    if (dataset instanceof CaptionBenchmark captions) {
      for (var query : captions.test()) {
        ids.add(query.imageId());
        prompts.add(prompter.caption(query, captions.support(), shots));
      }
    } else {
      var vqa = (VqaBenchmark) dataset;
      for (var query : vqa.test()) {
        ids.add(query.questionId());
        prompts.add(prompter.vqa(query, vqa.support(), shots));
      }
    }
    int maxNewTokens = benchmark.maxNewTokens == null ? 32 : benchmark.maxNewTokens;
    var predictions = new LinkedHashMap<ItemId, String>();
    var stops = new int[] {context.tokenizer.endOfChunk(), context.tokenizer.eos()};
    for (int start = 0; start < prompts.size(); start += job.batch()) {
      int end = Math.min(prompts.size(), start + job.batch());
      try (var scope = context.manager.newSubManager()) {
        var batch = modelBatch(prompts.subList(start, end), context, scope, benchmark, shots);
        int[][] generated;
        try {
          generated = context.model.generate(context.store, batch, maxNewTokens, stops, scope);
        } catch (IllegalArgumentException e) {
          throw new InvalidInputException("benchmark '" + benchmark.name + "' at " + shots + " shots: " + e.getMessage(), e);
        }
        for (int i = 0; i < generated.length; i++) {
          predictions.put(ids.get(start + i), post.prediction(context.tokenizer.decode(generated[i])));
        }
      }
      context.done += end - start;
      context.progress.update(context.done, benchmark.name + " " + shots + "-shot " + end + "/" + prompts.size());
    }
    var file = job.out().resolve("predictions").resolve(benchmark.name + "-" + shots + "shot.json");
    var source = "predictions of '" + benchmark.name + "' at " + shots + " shots";
    Map<String, Double> details = new LinkedHashMap<>();
    Outcome outcome;
    if (dataset instanceof CaptionBenchmark captions) {
      writePredictions(file, predictions, "image_id", "caption");
      var scores = CaptionScorer.score(captions.references(), predictions, source, true,
          warning -> err.println("mm1 eval: " + warning));
      for (int n = 0; n < scores.bleu().length; n++) {
        details.put("bleu" + (n + 1), scores.bleu()[n] * 100);
      }
      details.put("cider", scores.cider());
      outcome = new Outcome(benchmark.name, benchmark.dataset, shots, "cider-d", scores.ciderTimes100(), predictions.size(),
          details, file);
    } else {
      writePredictions(file, predictions, "question_id", "answer");
      var result = VqaScorer.score(((VqaBenchmark) dataset).annotations(), predictions, source, true);
      result.perAnswerType().forEach(details::put);
      outcome = new Outcome(benchmark.name, benchmark.dataset, shots, "vqa-accuracy", result.accuracy(), predictions.size(),
          details, file);
    }
    return outcome;
  }

  /**
   * The prompts as one batch: each {@code <image>} becomes one placeholder per view of its image
   * (five with sub-image decomposition, as in training), images decoded and preprocessed.
   */
  private static MultimodalBatch modelBatch(List<FewShotPrompt> prompts, Context context, NDManager scope,
      BenchmarkSpec benchmark, int shots) {
    int imageId = context.config.imageTokenId();
    int views = context.images.viewsPerImage();
    int side = context.images.resolution();
    var rows = new int[prompts.size()][];
    var pixels = new ArrayList<float[]>();
    for (int p = 0; p < prompts.size(); p++) {
      var prompt = prompts.get(p);
      var row = new ArrayList<Integer>();
      for (int id : prompt.tokens()) {
        for (int v = 0; v < (id == imageId ? views : 1); v++) {
          row.add(id);
        }
      }
      rows[p] = row.stream().mapToInt(Integer::intValue).toArray();
      for (var image : prompt.images()) {
        for (var view : views(image, context)) {
          pixels.add(view);
        }
      }
    }
    if (pixels.isEmpty()) {
      return MultimodalBatch.text(rows);
    }
    int each = 3 * side * side;
    var data = new float[pixels.size() * each];
    for (int i = 0; i < pixels.size(); i++) {
      System.arraycopy(pixels.get(i), 0, data, i * each, each);
    }
    return MultimodalBatch.of(rows, HostArrays.of(scope, data, new Shape(pixels.size(), 3, side, side)));
  }

  private static float[][] views(Path image, Context context) {
    var cached = context.cache.get(image);
    if (cached != null) {
      return cached;
    }
    try {
      var views = context.images.preprocess(Files.readAllBytes(image));
      context.cache.put(image, views);
      return views;
    } catch (IOException e) {
      throw new InvalidInputException("image " + image + " cannot be read: " + e.getMessage(), e);
    } catch (UndecodableImageException e) {
      throw new InvalidInputException("image " + image + ": " + e.getMessage(), e);
    }
  }

  private static void writePredictions(Path file, Map<ItemId, String> predictions, String idField, String textField)
      throws IOException {
    ArrayNode array = JSON.createArrayNode();
    predictions.forEach((id, text) -> {
      ObjectNode entry = array.addObject();
      if (id.numeric()) {
        entry.put(idField, new java.math.BigInteger(id.text()));
      } else {
        entry.put(idField, id.text());
      }
      entry.put(textField, text);
    });
    Files.writeString(file, JSON.writeValueAsString(array));
  }

  private void writeReport(Report report) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("eval", job.name());
    root.put("checkpoint", report.checkpoint().toString());
    root.put("step", report.step());
    root.put("seconds", report.seconds());
    var results = root.putArray("results");
    for (var outcome : report.outcomes()) {
      var entry = results.addObject();
      entry.put("benchmark", outcome.benchmark());
      entry.put("dataset", outcome.dataset());
      entry.put("shots", outcome.shots());
      entry.put("metric", outcome.metric());
      entry.put("value", outcome.value());
      entry.put("samples", outcome.samples());
      outcome.details().forEach(entry.putObject("details")::put);
      entry.put("predictions", job.out().relativize(outcome.predictions()).toString());
    }
    Files.writeString(job.out().resolve("report.json"), JSON.writeValueAsString(root));
  }
}
