package dev.mm1.trainer.data.synth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes shapes-world evaluation sets in the public formats, each split into {@code test} and
 * few-shot {@code support}:
 *
 * <ul>
 *   <li>captioning: {@code captions_SPLIT.json} in COCO captions format ({@code images} with
 *       {@code id} and {@code file_name}, {@code annotations} with five {@code caption}s per image);
 *   <li>VQA: {@code questions_SPLIT.json} and {@code annotations_SPLIT.json} in VQAv2 format (ten
 *       {@code answers} per question, {@code answer_type} yes/no, number or other); the questions
 *       file also lists its {@code images} as COCO does, since VQAv2 leaves images to COCO.
 * </ul>
 *
 * Image files live in {@code images/}, named by {@code file_name}. Image ids are unique across splits.
 */
public final class EvalSetWriter {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  /** One question of each answer type per image keeps the types balanced. */
  static final int QUESTIONS_PER_IMAGE = 3;

  private final Path directory;
  private final SceneRenderer renderer;
  private final SplittableRandom random;

  public EvalSetWriter(Path directory, SceneRenderer renderer, SplittableRandom random) {
    this.directory = directory;
    this.renderer = renderer;
    this.random = random;
  }

  /** Writes the captioning set; returns a summary for corpus.json. */
  public Map<String, Object> writeCaptions(int testImages, int supportImages) throws IOException {
    Files.createDirectories(directory.resolve("images"));
    captionSplit("test", 1, testImages);
    captionSplit("support", testImages + 1, supportImages);
    return summary("COCO captions", testImages, supportImages, "captions_test.json", "captions_support.json");
  }

  /** Writes the VQA set; returns a summary for corpus.json. */
  public Map<String, Object> writeVqa(int testImages, int supportImages) throws IOException {
    Files.createDirectories(directory.resolve("images"));
    vqaSplit("test", 1, testImages);
    vqaSplit("support", testImages + 1, supportImages);
    return summary("VQAv2", testImages, supportImages, "questions_test.json, annotations_test.json",
        "questions_support.json, annotations_support.json");
  }

  private void captionSplit(String split, int firstId, int count) throws IOException {
    ObjectNode root = header(split);
    root.put("type", "captions");
    ArrayNode images = root.putArray("images");
    ArrayNode annotations = root.putArray("annotations");
    long annotationId = (long) firstId * 10;
    for (int id = firstId; id < firstId + count; id++) {
      Scene scene = Scene.random(random);
      String file = writeImage(id, scene);
      images.addObject().put("id", id).put("file_name", file).put("width", renderer.resolution())
          .put("height", renderer.resolution());
      for (String caption : SceneDescriber.referenceCaptions(scene, random)) {
        annotations.addObject().put("id", annotationId++).put("image_id", id).put("caption", caption);
      }
    }
    Files.write(directory.resolve("captions_" + split + ".json"), JSON.writeValueAsBytes(root));
  }

  private void vqaSplit(String split, int firstId, int count) throws IOException {
    ObjectNode questionsRoot = header(split);
    questionsRoot.put("task_type", "Open-Ended").put("data_type", "shapes-world").put("data_subtype", split);
    ArrayNode images = questionsRoot.putArray("images");
    ArrayNode questions = questionsRoot.putArray("questions");
    ObjectNode annotationsRoot = header(split);
    annotationsRoot.put("data_type", "shapes-world").put("data_subtype", split);
    ArrayNode annotations = annotationsRoot.putArray("annotations");
    for (int id = firstId; id < firstId + count; id++) {
      Scene scene = Scene.random(random);
      String file = writeImage(id, scene);
      images.addObject().put("id", id).put("file_name", file).put("width", renderer.resolution())
          .put("height", renderer.resolution());
      List<SceneDescriber.Question> asked = List.of(SceneDescriber.yesNoQuestion(scene, random),
          SceneDescriber.numberQuestion(scene, random), SceneDescriber.otherQuestion(scene, random));
      for (int q = 0; q < asked.size(); q++) {
        SceneDescriber.Question question = asked.get(q);
        long questionId = (long) id * QUESTIONS_PER_IMAGE + q;
        questions.addObject().put("image_id", id).put("question", question.text()).put("question_id", questionId);
        ObjectNode annotation = annotations.addObject();
        annotation.put("question_id", questionId).put("image_id", id).put("question_type", question.questionType())
            .put("answer_type", question.answerType().label).put("multiple_choice_answer", question.answer());
        ArrayNode answers = annotation.putArray("answers");
        int answerId = 1;
        for (String answer : SceneDescriber.annotatorAnswers(question, random)) {
          answers.addObject().put("answer", answer).put("answer_confidence", "yes").put("answer_id", answerId++);
        }
      }
    }
    Files.write(directory.resolve("questions_" + split + ".json"), JSON.writeValueAsBytes(questionsRoot));
    Files.write(directory.resolve("annotations_" + split + ".json"), JSON.writeValueAsBytes(annotationsRoot));
  }

  private ObjectNode header(String split) {
    ObjectNode root = JSON.createObjectNode();
    root.putObject("info").put("description", "shapes-world synthetic evaluation set (" + split + ")")
        .put("version", "1.0").put("contributor", "mm1 data synth");
    root.putArray("licenses");
    return root;
  }

  private String writeImage(int id, Scene scene) throws IOException {
    String file = String.format("%012d.png", id);
    Files.write(directory.resolve("images").resolve(file),
        CorpusGenerator.encode(renderer.render(scene, 215 + random.nextInt(41)), "png"));
    return file;
  }

  private Map<String, Object> summary(String format, int test, int support, String testFiles, String supportFiles) {
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("format", format);
    summary.put("uri", "file://" + directory.toAbsolutePath().normalize());
    summary.put("testImages", test);
    summary.put("supportImages", support);
    summary.put("test", testFiles);
    summary.put("support", supportFiles);
    return summary;
  }
}
