package dev.mm1.trainer.data.synth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mm1.trainer.data.shard.TarWriter;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/**
 * Writes the shapes-world corpus: caption, VeCap (dense synthetic caption), interleaved, text and
 * SFT shards, and the captioning (COCO captions JSON) and VQA (VQAv2 JSON) evaluation sets, each
 * with a test and a few-shot support split. The same seed, size and resolution give byte-identical
 * output. Layout (see trainer-image/README.md):
 *
 * <pre>
 * OUT/caption/shard-000000.tar      KEY.jpg + KEY.txt   (short alt-text caption)
 * OUT/vecap/shard-000000.tar        KEY.png + KEY.txt   (dense synthetic caption)
 * OUT/interleaved/shard-000000.tar  KEY.json + KEY.0.png … KEY.5.png
 * OUT/text/shard-000000.tar         KEY.txt
 * OUT/sft/shard-000000.tar          KEY.png + KEY.json  (conversation)
 * OUT/eval/captions/                captions_{test,support}.json + images/
 * OUT/eval/vqa/                     questions_{test,support}.json, annotations_{test,support}.json + images/
 * OUT/corpus.json                   what was written: sources, kinds, shard patterns, counts
 * </pre>
 */
public final class CorpusGenerator {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Path out;
  private final long seed;
  private final CorpusSize size;
  private final SceneRenderer renderer;
  private final Map<String, Object> summary = new LinkedHashMap<>();

  public CorpusGenerator(Path out, long seed, CorpusSize size, int resolution) {
    this.out = out;
    this.seed = seed;
    this.size = size;
    this.renderer = new SceneRenderer(resolution);
  }

  /** Writes everything; returns the summary also written to {@code corpus.json}. */
  public Map<String, Object> generate() throws IOException {
    Files.createDirectories(out);
    summary.put("generator", "shapes-world");
    summary.put("seed", seed);
    summary.put("size", size.name().toLowerCase());
    summary.put("resolution", renderer.resolution());
    Map<String, Object> sources = new LinkedHashMap<>();
    sources.put("caption", shards("caption", "Caption", size.captionShards, size.captionsPerShard, this::captionSample));
    sources.put("vecap", shards("vecap", "Caption", size.vecapShards, size.captionsPerShard, this::vecapSample));
    sources.put("interleaved", shards("interleaved", "Interleaved", size.interleavedShards, size.documentsPerShard,
        this::interleavedSample));
    sources.put("text", shards("text", "Text", size.textShards, size.textsPerShard, this::textSample));
    sources.put("sft", shards("sft", "SFT", size.sftShards, size.conversationsPerShard, this::sftSample));
    summary.put("sources", sources);
    Map<String, Object> eval = new LinkedHashMap<>();
    eval.put("captions", new EvalSetWriter(out.resolve("eval/captions"), renderer, random(100, 0)).writeCaptions(
        size.evalTestImages, size.evalSupportImages));
    eval.put("vqa", new EvalSetWriter(out.resolve("eval/vqa"), renderer, random(101, 0)).writeVqa(
        size.evalTestImages, size.evalSupportImages));
    summary.put("eval", eval);
    Files.write(out.resolve("corpus.json"), JSON.writeValueAsBytes(summary));
    return summary;
  }

  @FunctionalInterface
  private interface SampleWriter {
    /** Writes one sample under {@code key}; returns how many images it holds. */
    int write(TarWriter tar, String key, SplittableRandom random) throws IOException;
  }

  private Map<String, Object> shards(String name, String kind, int shardCount, int perShard, SampleWriter writer)
      throws IOException {
    int part = List.of("caption", "vecap", "interleaved", "text", "sft").indexOf(name);
    long images = 0;
    for (int shard = 0; shard < shardCount; shard++) {
      SplittableRandom random = random(part, shard);
      try (TarWriter tar = new TarWriter(out.resolve(name).resolve(String.format("shard-%06d.tar", shard)))) {
        for (int i = 0; i < perShard; i++) {
          images += writer.write(tar, String.format("%s%08d", name, (long) shard * perShard + i), random);
        }
      }
    }
    Map<String, Object> source = new LinkedHashMap<>();
    source.put("kind", kind);
    source.put("shards", "file://" + out.toAbsolutePath().normalize().resolve(name)
        + String.format("/shard-{000000..%06d}.tar", shardCount - 1));
    source.put("samples", (long) shardCount * perShard);
    source.put("images", images);
    return source;
  }

  /** Independent random streams per corpus part and shard: a shard's content does not depend on the others. */
  private SplittableRandom random(int part, int shard) {
    return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + part * 0x100000001B3L + shard);
  }

  private int captionSample(TarWriter tar, String key, SplittableRandom random) throws IOException {
    Scene scene = Scene.random(random);
    tar.add(key + ".jpg", encode(render(scene, random), "jpg"));
    tar.add(key + ".txt", utf8(SceneDescriber.altText(scene, random)));
    return 1;
  }

  private int vecapSample(TarWriter tar, String key, SplittableRandom random) throws IOException {
    Scene scene = Scene.random(random);
    tar.add(key + ".png", encode(render(scene, random), "png"));
    tar.add(key + ".txt", utf8(SceneDescriber.denseCaption(scene)));
    return 1;
  }

  private int interleavedSample(TarWriter tar, String key, SplittableRandom random) throws IOException {
    WorldStories.Story story = WorldStories.story(random, 2 + random.nextInt(5));
    ArrayNode entries = JSON.createArrayNode();
    for (WorldStories.Entry entry : story.entries()) {
      if (entry.text() != null) {
        entries.addObject().put("text", entry.text());
      } else {
        entries.addObject().put("image", entry.image() + ".png");
      }
    }
    tar.add(key + ".json", JSON.writeValueAsBytes(entries));
    for (int i = 0; i < story.scenes().size(); i++) {
      tar.add(key + "." + i + ".png", encode(render(story.scenes().get(i), random), "png"));
    }
    return story.scenes().size();
  }

  private int textSample(TarWriter tar, String key, SplittableRandom random) throws IOException {
    tar.add(key + ".txt", utf8(WorldStories.textDocument(random)));
    return 0;
  }

  private int sftSample(TarWriter tar, String key, SplittableRandom random) throws IOException {
    Scene scene = Scene.random(random);
    ObjectNode sample = JSON.createObjectNode();
    ArrayNode turns = sample.putArray("conversation");
    int exchanges = 2 + random.nextInt(3);
    if (random.nextInt(3) == 0) {
      turns.addObject().put("role", "user").put("text", "Describe the image in detail.");
      turns.addObject().put("role", "assistant").put("text", SceneDescriber.denseCaption(scene));
      exchanges--;
    }
    List<SceneDescriber.Question> asked = new ArrayList<>();
    // Small scenes have few distinct questions: give up on repeats rather than loop.
    for (int attempt = 0; asked.size() < exchanges && attempt < 20; attempt++) {
      SceneDescriber.Question question = SceneDescriber.question(scene, random);
      if (asked.stream().anyMatch(q -> q.text().equals(question.text()))) {
        continue;
      }
      asked.add(question);
      turns.addObject().put("role", "user").put("text", question.text());
      turns.addObject().put("role", "assistant").put("text", SceneDescriber.spokenAnswer(question));
    }
    tar.add(key + ".png", encode(render(scene, random), "png"));
    tar.add(key + ".json", JSON.writeValueAsBytes(sample));
    return 1;
  }

  private BufferedImage render(Scene scene, SplittableRandom random) {
    return renderer.render(scene, 215 + random.nextInt(41));
  }

  static byte[] encode(BufferedImage image, String format) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(image, format, bytes)) {
        throw new IllegalStateException("no ImageIO writer for " + format);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
