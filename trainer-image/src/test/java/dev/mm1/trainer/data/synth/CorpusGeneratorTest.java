package dev.mm1.trainer.data.synth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mm1.trainer.data.image.ImagePreprocessor;
import dev.mm1.trainer.data.shard.ShardPattern;
import dev.mm1.trainer.data.shard.ShardSample;
import dev.mm1.trainer.data.shard.ShardSampleReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusGeneratorTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path out;
  static JsonNode summary;

  @BeforeAll
  static void generate() throws IOException {
    System.setProperty("java.awt.headless", "true");
    new CorpusGenerator(out.resolve("a"), 3, CorpusSize.SMALL, 32).generate();
    summary = JSON.readTree(out.resolve("a/corpus.json").toFile());
  }

  @Test
  void everyShardParsesBackWithTheCountsOfTheSummary() throws Exception {
    for (String source : List.of("caption", "vecap", "interleaved", "text", "sft")) {
      JsonNode described = summary.path("sources").path(source);
      long samples = 0;
      long images = 0;
      for (Path shard : ShardPattern.expand(described.path("shards").asText())) {
        try (ShardSampleReader reader = ShardSampleReader.open(shard)) {
          for (ShardSample sample; (sample = reader.next(true)) != null; ) {
            samples++;
            images += checkLayout(source, sample);
          }
        }
      }
      assertThat(samples).as(source).isEqualTo(described.path("samples").asLong()).isPositive();
      assertThat(images).as(source).isEqualTo(described.path("images").asLong());
    }
  }

  /** Checks one sample's layout and decodes its images; returns how many it has. */
  private static int checkLayout(String source, ShardSample sample) throws Exception {
    Map<String, byte[]> parts = sample.parts();
    int images = 0;
    for (Map.Entry<String, byte[]> part : parts.entrySet()) {
      if (part.getKey().endsWith("png") || part.getKey().endsWith("jpg")) {
        assertThat(ImagePreprocessor.decode(part.getValue()).getWidth()).isEqualTo(32);
        images++;
      }
    }
    switch (source) {
      case "caption" -> assertThat(parts.keySet()).containsExactly("jpg", "txt");
      case "vecap" -> assertThat(parts.keySet()).containsExactly("png", "txt");
      case "text" -> assertThat(parts.keySet()).containsExactly("txt");
      case "sft" -> {
        assertThat(parts.keySet()).containsExactlyInAnyOrder("png", "json");
        JsonNode turns = JSON.readTree(parts.get("json")).path("conversation");
        assertThat(turns.size()).isEven().isGreaterThanOrEqualTo(4);
        for (int i = 0; i < turns.size(); i++) {
          assertThat(turns.get(i).path("role").asText()).isEqualTo(i % 2 == 0 ? "user" : "assistant");
        }
      }
      case "interleaved" -> {
        JsonNode entries = JSON.readTree(parts.get("json"));
        Set<String> named = new HashSet<>();
        entries.forEach(e -> {
          if (e.has("image")) {
            named.add(e.get("image").asText());
          }
        });
        assertThat(named).hasSizeBetween(2, 6);
        assertThat(parts.keySet()).containsAll(named);
        assertThat(images).isEqualTo(named.size());
      }
      default -> throw new AssertionError(source);
    }
    return images;
  }

  @Test
  void captionSetIsCocoWithFiveReferencesPerImage() throws IOException {
    Path directory = out.resolve("a/eval/captions");
    for (String split : List.of("test", "support")) {
      JsonNode coco = JSON.readTree(directory.resolve("captions_" + split + ".json").toFile());
      Map<Integer, Integer> references = new HashMap<>();
      coco.path("annotations").forEach(a -> references.merge(a.path("image_id").asInt(), 1, Integer::sum));
      assertThat(coco.path("images").size()).isEqualTo(split.equals("test") ? 100 : 32);
      for (JsonNode image : coco.path("images")) {
        assertThat(references.get(image.path("id").asInt())).isEqualTo(5);
        assertThat(directory.resolve("images").resolve(image.path("file_name").asText())).isRegularFile();
      }
    }
  }

  @Test
  void vqaSetIsVqaV2WithTenAnswersAndAllAnswerTypes() throws IOException {
    Path directory = out.resolve("a/eval/vqa");
    JsonNode questions = JSON.readTree(directory.resolve("questions_test.json").toFile());
    JsonNode annotations = JSON.readTree(directory.resolve("annotations_test.json").toFile());
    assertThat(questions.path("questions").size()).isEqualTo(annotations.path("annotations").size()).isEqualTo(300);
    Set<String> types = new HashSet<>();
    Set<Long> questionIds = new HashSet<>();
    questions.path("questions").forEach(q -> questionIds.add(q.path("question_id").asLong()));
    for (JsonNode annotation : annotations.path("annotations")) {
      assertThat(annotation.path("answers").size()).isEqualTo(10);
      assertThat(questionIds).contains(annotation.path("question_id").asLong());
      types.add(annotation.path("answer_type").asText());
    }
    assertThat(types).containsExactlyInAnyOrder("yes/no", "number", "other");
    JsonNode support = JSON.readTree(directory.resolve("questions_support.json").toFile());
    assertThat(support.path("questions").size()).isEqualTo(96);
    for (JsonNode image : questions.path("images")) {
      assertThat(directory.resolve("images").resolve(image.path("file_name").asText())).isRegularFile();
    }
  }

  @Test
  void theSameSeedWritesTheSameBytesAndAnotherSeedDoesNot() throws IOException {
    new CorpusGenerator(out.resolve("b"), 3, CorpusSize.SMALL, 32).generate();
    new CorpusGenerator(out.resolve("c"), 4, CorpusSize.SMALL, 32).generate();
    Path shard = Path.of("interleaved/shard-000001.tar");
    assertThat(Files.readAllBytes(out.resolve("b").resolve(shard))).isEqualTo(Files.readAllBytes(out.resolve("a").resolve(shard)));
    assertThat(Files.readAllBytes(out.resolve("c").resolve(shard))).isNotEqualTo(Files.readAllBytes(out.resolve("a").resolve(shard)));
    try (Stream<Path> files = Files.walk(out.resolve("a"))) {
      for (Path file : files.filter(Files::isRegularFile).filter(f -> !f.endsWith("corpus.json")).toList()) {
        assertThat(Files.readAllBytes(out.resolve("b").resolve(out.resolve("a").relativize(file))))
            .as(file.toString()).isEqualTo(Files.readAllBytes(file));
      }
    }
    assertThat(new String(Files.readAllBytes(out.resolve("a/corpus.json")), StandardCharsets.UTF_8)).contains("\"seed\" : 3");
  }
}
