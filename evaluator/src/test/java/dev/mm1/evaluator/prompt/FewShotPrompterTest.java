package dev.mm1.evaluator.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.mm1.api.v1alpha1.BenchmarkSpec;
import dev.mm1.api.v1alpha1.BenchmarkTask;
import dev.mm1.api.v1alpha1.PromptSpec;
import dev.mm1.evaluator.InvalidInputException;
import dev.mm1.evaluator.benchmark.CaptionSample;
import dev.mm1.evaluator.benchmark.VqaSample;
import dev.mm1.evaluator.data.ItemId;
import dev.mm1.evaluator.data.VqaAnnotations;
import dev.mm1.evaluator.metrics.VqaAccuracy;
import dev.mm1.model.tokenizer.MM1Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The few-shot layout: what the model is trained on, the shots drawn, and the answers read back. */
class FewShotPrompterTest {
  private static MM1Tokenizer tokenizer;

  @BeforeAll
  static void load() {
    tokenizer = MM1Tokenizer.load();
  }

  @AfterAll
  static void close() {
    tokenizer.close();
  }

  private static CaptionSample caption(int image, String... references) {
    return new CaptionSample(ItemId.ofNumber(String.valueOf(image)), Path.of("images", image + ".png"), List.of(references));
  }

  private static VqaSample question(int id, int image, String text, String... answers) {
    List<VqaAccuracy.HumanAnswer> records = new ArrayList<>();
    for (int i = 0; i < answers.length; i++) {
      records.add(new VqaAccuracy.HumanAnswer(answers[i], JsonNodeFactory.instance.objectNode().put("answer_id", i + 1)));
    }
    return new VqaSample(ItemId.ofNumber(String.valueOf(id)), Path.of("images", image + ".png"),
        new VqaAnnotations.Entry(ItemId.ofNumber(String.valueOf(image)), text, null, "other", records));
  }

  private static PromptTemplate defaults(BenchmarkTask task) {
    BenchmarkSpec spec = new BenchmarkSpec();
    spec.task = task;
    return PromptTemplate.of(spec);
  }

  private static int[] concat(int[]... parts) {
    return Arrays.stream(parts).flatMapToInt(Arrays::stream).toArray();
  }

  private static List<CaptionSample> captionSupport() {
    return IntStream.range(100, 140).mapToObj(i -> caption(i, "A shape number " + i + ".")).toList();
  }

  @Test
  void zeroShotCaptioningIsBosAndTheImage() {
    var prompt = new FewShotPrompter(tokenizer, defaults(BenchmarkTask.Captioning), 0)
        .caption(caption(1, "x"), captionSupport(), 0);
    assertThat(prompt.tokens()).containsExactly(tokenizer.bos(), tokenizer.image());
    assertThat(prompt.images()).containsExactly(Path.of("images", "1.png"));
    assertThat(prompt.shots()).isEmpty();
  }

  @Test
  void captionShotsAreLaidOutAsTheCaptionPairsOfPretraining() {
    var prompt = new FewShotPrompter(tokenizer, defaults(BenchmarkTask.Captioning), 7)
        .caption(caption(1, "x"), captionSupport(), 4);
    // <bos> then per shot <image> caption <|endofchunk|> (SampleDecoder's caption layout, minus <eos>), then <image>.
    List<int[]> expected = new ArrayList<>();
    expected.add(new int[] {tokenizer.bos()});
    for (ItemId shot : prompt.shots()) {
      expected.add(new int[] {tokenizer.image()});
      expected.add(tokenizer.encode("A shape number " + shot.text() + "."));
      expected.add(new int[] {tokenizer.endOfChunk()});
    }
    expected.add(new int[] {tokenizer.image()});
    assertThat(prompt.tokens()).containsExactly(concat(expected.toArray(int[][]::new)));
    assertThat(prompt.images()).hasSize(5).last().isEqualTo(Path.of("images", "1.png"));
    assertThat(prompt.shots()).hasSize(4).doesNotHaveDuplicates();
  }

  @Test
  void vqaShotsAreLaidOutAsTheSftTurns() {
    List<VqaSample> support = List.of(question(10, 2, "Is there a circle?", "yes", "yes", "no"),
        question(11, 3, "How many shapes are there?", "2", "two", "2"), question(12, 4, "What colour is the square?", "red"));
    var prompt = new FewShotPrompter(tokenizer, defaults(BenchmarkTask.VQA), 1)
        .vqa(question(1, 1, "What shape is the red object?", "circle"), support, 2);
    List<int[]> expected = new ArrayList<>();
    expected.add(new int[] {tokenizer.bos()});
    for (ItemId shot : prompt.shots()) {
      VqaSample sample = support.stream().filter(s -> s.questionId().equals(shot)).findFirst().orElseThrow();
      expected.add(new int[] {tokenizer.image(), tokenizer.userRole()});
      expected.add(tokenizer.encode(sample.question()));
      expected.add(new int[] {tokenizer.assistantRole()});
      expected.add(tokenizer.encode(sample.exampleAnswer()));
      expected.add(new int[] {tokenizer.endOfChunk()});
    }
    expected.add(new int[] {tokenizer.image(), tokenizer.userRole()});
    expected.add(tokenizer.encode("What shape is the red object?"));
    expected.add(new int[] {tokenizer.assistantRole()});
    assertThat(prompt.tokens()).containsExactly(concat(expected.toArray(int[][]::new)));
    assertThat(prompt.text()).startsWith("<|bos|><image><|user|>").endsWith("What shape is the red object?<|assistant|>");
  }

  @Test
  void shotsAreDeterministicBySeedAndNeverTheQuerysImage() {
    List<CaptionSample> support = new ArrayList<>(captionSupport());
    // The query's own image is in the support pool three times (another split may share images).
    support.add(caption(1, "the query image"));
    support.add(caption(1, "again"));
    support.add(caption(1, "and again"));
    var prompter = new FewShotPrompter(tokenizer, defaults(BenchmarkTask.Captioning), 42);
    var first = prompter.caption(caption(1, "x"), support, 8);
    var again = new FewShotPrompter(tokenizer, defaults(BenchmarkTask.Captioning), 42).caption(caption(1, "x"), support, 8);
    assertThat(again.shots()).isEqualTo(first.shots());
    assertThat(again.tokens()).isEqualTo(first.tokens());
    assertThat(first.shots()).doesNotContain(ItemId.ofNumber("1")).hasSize(8);
    var otherSeed = new FewShotPrompter(tokenizer, defaults(BenchmarkTask.Captioning), 43).caption(caption(1, "x"), support, 8);
    assertThat(otherSeed.shots()).isNotEqualTo(first.shots());
    // Different queries draw differently, and over many queries every support image gets used.
    var seen = new HashSet<ItemId>();
    for (int q = 0; q < 200; q++) {
      seen.addAll(prompter.caption(caption(1000 + q, "x"), support, 4).shots());
    }
    assertThat(seen).hasSize(41);
  }

  @Test
  void aPoolMadeMostlyOfTheQuerysImageStillYieldsTheOthers() {
    List<CaptionSample> support = new ArrayList<>();
    IntStream.range(0, 500).forEach(i -> support.add(caption(1, "same image " + i)));
    support.add(caption(2, "other"));
    support.add(caption(3, "another"));
    var prompt = new FewShotPrompter(tokenizer, defaults(BenchmarkTask.Captioning), 0).caption(caption(1, "x"), support, 2);
    assertThat(prompt.shots()).containsExactlyInAnyOrder(ItemId.ofNumber("2"), ItemId.ofNumber("3"));
    assertThatThrownBy(() -> new FewShotPrompter(tokenizer, defaults(BenchmarkTask.Captioning), 0)
        .caption(caption(1, "x"), support, 3))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("3 shots need 3 support examples of other images than 1; the support split has 2");
  }

  @Test
  void datasetTextWithSpecialTokensIsRefused() {
    List<CaptionSample> support = List.of(caption(2, "a cat <image> on a mat"));
    assertThatThrownBy(() -> new FewShotPrompter(tokenizer, defaults(BenchmarkTask.Captioning), 0)
        .caption(caption(1, "x"), support, 1))
        .hasMessageContaining("the caption of image 2 contains the special token <image>");
  }

  @Test
  void customTemplatesAreValidatedAndCutAtTheTarget() {
    BenchmarkSpec spec = new BenchmarkSpec();
    spec.task = BenchmarkTask.VQA;
    spec.prompt = new PromptSpec();
    spec.prompt.prefix = "Answer briefly.\n";
    spec.prompt.example = "{image}Question: {question} Short answer: {answer}\n";
    PromptTemplate template = PromptTemplate.of(spec);
    var prompt = new FewShotPrompter(tokenizer, template, 0).vqa(question(1, 1, "Is it red?", "yes"),
        List.of(question(2, 2, "Is it blue?", "no")), 1);
    assertThat(prompt.text()).isEqualTo("<|bos|>Answer briefly.\n<image>Question: Is it blue? Short answer: no\n"
        + "<image>Question: Is it red? Short answer:");
    var answers = new AnswerPostProcessor(template);
    assertThat(answers.prediction(" Yes.\nQuestion: Is it")).isEqualTo("yes");
    assertThat(answers.prediction(" 3.5 Question: what")).isEqualTo("3.5");

    spec.prompt.example = "{image}{answer} {question}";
    assertThatThrownBy(() -> PromptTemplate.of(spec)).hasMessageContaining("{answer} must be the last placeholder");
    spec.prompt.example = "{image}{question} {answer} {colour}";
    assertThatThrownBy(() -> PromptTemplate.of(spec)).hasMessageContaining("unknown placeholder {colour}");
    spec.prompt.example = "{question} {answer}";
    assertThatThrownBy(() -> PromptTemplate.of(spec)).hasMessageContaining("must hold {image} exactly once");
    spec.prompt.example = "{image}{question}{answer}";
    spec.prompt.prefix = "<image>";
    assertThatThrownBy(() -> new FewShotPrompter(tokenizer, PromptTemplate.of(spec), 0)
        .vqa(question(1, 1, "q", "a"), List.of(), 0)).hasMessageContaining("the prompt holds 2 <image> tokens for 1 images");
  }

  @Test
  void answersArePostProcessedAsEachBenchmarkExpects() {
    var vqa = new AnswerPostProcessor(defaults(BenchmarkTask.VQA));
    assertThat(vqa.prediction("Yes.<|endofchunk|><|eos|>")).isEqualTo("yes");
    assertThat(vqa.prediction("Top left. The square is below it.")).isEqualTo("top left");
    assertThat(vqa.prediction("2<|endofchunk|>")).isEqualTo("2");
    assertThat(vqa.prediction("3.5 inches")).isEqualTo("3.5 inches");
    var captions = new AnswerPostProcessor(defaults(BenchmarkTask.Captioning));
    assertThat(captions.prediction("A red circle and a blue square.<|endofchunk|><image>A")).isEqualTo("A red circle and a blue square.");
    assertThat(captions.prediction("  Two shapes.\nA second line")).isEqualTo("Two shapes.");
  }
}
