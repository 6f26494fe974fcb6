package dev.mm1.evaluator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./mm1 score}: output shape, and one clear error with exit code 2 for every kind of bad input. */
class ScoreCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  record Run(int exitCode, String out, String err) {
    JsonNode lastLine() throws Exception {
      String[] lines = out.strip().split("\n");
      return JSON.readTree(lines[lines.length - 1]);
    }
  }

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var line = ScoreCommand.commandLine();
    line.setOut(new PrintWriter(out));
    line.setErr(new PrintWriter(err));
    int code = line.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  private Path write(String name, String content) throws Exception {
    return Files.writeString(dir.resolve(name), content);
  }

  private Path references() throws Exception {
    return write("refs.json", """
        {"images": [{"id": 1}, {"id": 2}],
         "annotations": [{"id": 1, "image_id": 1, "caption": "A red circle."},
                         {"id": 2, "image_id": 1, "caption": "A circle that is red."},
                         {"id": 3, "image_id": 2, "caption": "Two blue squares."}]}""");
  }

  @Test
  void captionScoresEndWithOneJsonObjectAndMatchTheScorer() throws Exception {
    Path predictions = write("results.json", """
        [{"image_id": 2, "caption": "two blue squares"}, {"image_id": 1, "caption": "a red circle"}]""");
    Run run = run("caption", "--references", references().toString(), "--predictions", predictions.toString());
    assertThat(run.exitCode()).as(run.err()).isEqualTo(0);
    JsonNode json = run.lastLine();
    assertThat(json.get("task").asText()).isEqualTo("caption");
    assertThat(json.get("images").asInt()).isEqualTo(2);
    assertThat(json.get("references").asInt()).isEqualTo(3);
    assertThat(json.get("cider_x100").asDouble()).isEqualTo(json.get("cider").asDouble() * 100);
    assertThat(json.get("bleu1").asDouble()).isEqualTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(json.has("bleu4")).isTrue();
    assertThat(run.out()).contains("CIDEr-D", "BLEU-4");
    assertThat(run.err()).contains("tokenizing and scoring 2 images");
  }

  @Test
  void vqaAccuracyPerAnswerType() throws Exception {
    Path questions = write("q.json", """
        {"questions": [{"question_id": 10, "image_id": 1, "question": "How many?"},
                       {"question_id": 11, "image_id": 1, "question": "Is it red?"}]}""");
    Path annotations = write("a.json", """
        {"annotations": [
          {"question_id": 10, "image_id": 1, "question_type": "how many", "answer_type": "number",
           "answers": [{"answer": "2", "answer_id": 1}, {"answer": "2", "answer_id": 2}, {"answer": "2", "answer_id": 3},
                       {"answer": "two", "answer_id": 4}]},
          {"question_id": 11, "image_id": 1, "question_type": "is the", "answer_type": "yes/no",
           "answers": [{"answer": "yes", "answer_id": 1}, {"answer": "no", "answer_id": 2}, {"answer": "no", "answer_id": 3}]}]}""");
    Path predictions = write("r.json", """
        [{"question_id": 10, "answer": "Two"}, {"question_id": 11, "answer": "yes"}]""");
    Run run = run("vqa", "--questions", questions.toString(), "--annotations", annotations.toString(),
        "--predictions", predictions.toString());
    assertThat(run.exitCode()).as(run.err()).isEqualTo(0);
    JsonNode json = run.lastLine();
    // Question 10: the answers differ, so "two" and "Two" become "2": each annotator sees three
    // matches, 1. Question 11: the "yes" annotator sees none (0), each "no" annotator one (1/3): 2/9.
    assertThat(json.get("accuracy").asDouble()).isEqualTo(61.11);
    assertThat(json.get("per_answer_type").get("number").asDouble()).isEqualTo(100.0);
    assertThat(json.get("per_answer_type").get("yes/no").asDouble()).isEqualTo(22.22);
    assertThat(json.get("questions").asInt()).isEqualTo(2);
  }

  @Test
  void predictionsForUnknownImagesAreRefusedNamingTheFileAndId() throws Exception {
    Path predictions = write("results.json", """
        [{"image_id": 1, "caption": "a circle"}, {"image_id": 2, "caption": "squares"}, {"image_id": 7, "caption": "x"}]""");
    Run run = run("caption", "--references", references().toString(), "--predictions", predictions.toString());
    assertThat(run.exitCode()).isEqualTo(ExitCodes.INVALID);
    assertThat(run.err()).contains("results.json: image_id 7: is not an image of the references");
    assertThat(run.out()).isEmpty();
  }

  @Test
  void imagesWithoutPredictionsAreRefused() throws Exception {
    Path predictions = write("results.json", "[{\"image_id\": 1, \"caption\": \"a circle\"}]");
    Run run = run("caption", "--references", references().toString(), "--predictions", predictions.toString());
    assertThat(run.exitCode()).isEqualTo(ExitCodes.INVALID);
    assertThat(run.err()).contains("image_id 2: has no prediction");
  }

  @Test
  void emptyPredictionsAreRefusedUnlessAllowed() throws Exception {
    Path predictions = write("results.json", """
        [{"image_id": 1, "caption": "..."}, {"image_id": 2, "caption": "squares"}]""");
    Run refused = run("caption", "--references", references().toString(), "--predictions", predictions.toString());
    assertThat(refused.exitCode()).isEqualTo(ExitCodes.INVALID);
    assertThat(refused.err()).contains("image_id 1: the caption \"...\" is empty once punctuation is removed");
    Run allowed = run("caption", "--references", references().toString(), "--predictions", predictions.toString(),
        "--allow-empty-predictions");
    assertThat(allowed.exitCode()).isEqualTo(0);
    Path empty = write("none.json", "[]");
    assertThat(run("caption", "--references", references().toString(), "--predictions", empty.toString()).err())
        .contains("none.json: holds no predictions");
  }

  @Test
  void malformedFilesAreNamedWithWhereTheyBreak() throws Exception {
    Path broken = write("broken.json", "[{\"image_id\": 1, \"caption\": \"a\"},\n {\"image_id\": 2 \"caption\": \"b\"}]");
    Run run = run("caption", "--references", references().toString(), "--predictions", broken.toString());
    assertThat(run.exitCode()).isEqualTo(ExitCodes.INVALID);
    assertThat(run.err()).contains("broken.json: is not valid JSON at line 2");
    Path wrongType = write("wrong.json", "[{\"image_id\": 1, \"caption\": 5}]");
    assertThat(run("caption", "--references", references().toString(), "--predictions", wrongType.toString()).err())
        .contains("wrong.json: entry 0 (image_id 1): \"caption\" must be a string, got 5");
    Path notCoco = write("notcoco.json", "{\"images\": []}");
    assertThat(run("caption", "--references", notCoco.toString(), "--predictions", wrongType.toString()).err())
        .contains("notcoco.json: has no \"annotations\" array at the top level");
    Run missing = run("caption", "--references", dir.resolve("nope.json").toString(), "--predictions", wrongType.toString());
    assertThat(missing.exitCode()).isEqualTo(ExitCodes.INVALID);
    assertThat(missing.err()).contains("nope.json: does not exist");
  }

  @Test
  void vqaPredictionsMustAnswerExactlyTheAnnotatedQuestions() throws Exception {
    Path questions = write("q.json", "{\"questions\": [{\"question_id\": 1, \"image_id\": 1, \"question\": \"?\"}]}");
    Path annotations = write("a.json", """
        {"annotations": [{"question_id": 1, "image_id": 1, "answer_type": "other",
                          "answers": [{"answer": "x", "answer_id": 1}]}]}""");
    Path extra = write("r.json", "[{\"question_id\": 1, \"answer\": \"x\"}, {\"question_id\": 2, \"answer\": \"y\"}]");
    Run run = run("vqa", "--questions", questions.toString(), "--annotations", annotations.toString(),
        "--predictions", extra.toString());
    assertThat(run.exitCode()).isEqualTo(ExitCodes.INVALID);
    assertThat(run.err()).contains("r.json: question_id 2: is not a question of the annotations");
    Path otherSplit = write("a2.json", """
        {"annotations": [{"question_id": 5, "image_id": 1, "answers": [{"answer": "x", "answer_id": 1}]}]}""");
    assertThat(run("vqa", "--questions", questions.toString(), "--annotations", otherSplit.toString(),
        "--predictions", extra.toString()).err()).contains("a2.json: annotations[0]: question_id 5 is not in");
  }

  @Test
  void badArgumentsExitTwoWithUsageHints() {
    Run noTask = run();
    assertThat(noTask.exitCode()).isEqualTo(ExitCodes.INVALID);
    assertThat(noTask.err()).contains("name a task: caption or vqa");
    Run missingOption = run("caption", "--references", "x.json");
    assertThat(missingOption.exitCode()).isEqualTo(ExitCodes.INVALID);
    assertThat(missingOption.err()).contains("Missing required option: '--predictions=RESULTS.json'",
        "./mm1 score caption --help");
    Run unknown = run("retrieval");
    assertThat(unknown.exitCode()).isEqualTo(ExitCodes.INVALID);
    assertThat(run("caption", "--help").exitCode()).isEqualTo(0);
  }
}
