package dev.mm1.evaluator.prompt;

import dev.mm1.api.v1alpha1.BenchmarkSpec;
import dev.mm1.api.v1alpha1.BenchmarkTask;
import dev.mm1.evaluator.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A benchmark's few-shot prompt: {@code prefix}, then one {@code example} per shot, then the query,
 * which is the example cut where the model's continuation starts ({@code {caption}} or
 * {@code {answer}}; trailing spaces of the query are dropped, so "Short answer: {answer}" asks with
 * "Short answer:" and the model writes " yes"). Special tokens are written by name
 * ({@code <image>}, {@code <|user|>}, {@code <|assistant|>}, {@code <|endofchunk|>}); BOS starts
 * every prompt.
 *
 * <p>The defaults are the layouts the model is trained on: captioning as caption pairs
 * ({@code <image>caption<|endofchunk|>}), VQA as SFT turns
 * ({@code <image><|user|>question<|assistant|>answer<|endofchunk|>}).
 *
 * @param prefix text after BOS and before the first example; may be empty
 * @param example one example with {@code {image}} and {@code {caption}}, or {@code {image}},
 *     {@code {question}} and {@code {answer}}
 * @param task the task the placeholders are checked against
 */
public record PromptTemplate(String prefix, String example, BenchmarkTask task) {
  public static final String IMAGE = "{image}";
  public static final String CAPTION = "{caption}";
  public static final String QUESTION = "{question}";
  public static final String ANSWER = "{answer}";
  /** Captioning as the caption pairs of pre-training are laid out. */
  public static final String DEFAULT_CAPTION_EXAMPLE = "{image}{caption}<|endofchunk|>";
  /** VQA as the SFT conversations are laid out: a user turn, then the assistant's answer. */
  public static final String DEFAULT_VQA_EXAMPLE = "{image}<|user|>{question}<|assistant|>{answer}<|endofchunk|>";
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z_]+)}");

  public PromptTemplate {
    prefix = prefix == null ? "" : prefix;
    List<String> required = task == BenchmarkTask.Captioning ? List.of(IMAGE, CAPTION) : List.of(IMAGE, QUESTION, ANSWER);
    Matcher matcher = PLACEHOLDER.matcher(prefix);
    if (matcher.find()) {
      throw new InvalidInputException("prompt.prefix: placeholder " + matcher.group() + " belongs in prompt.example");
    }
    List<String> found = new ArrayList<>();
    matcher = PLACEHOLDER.matcher(example);
    while (matcher.find()) {
      if (!required.contains(matcher.group())) {
        throw new InvalidInputException("prompt.example: unknown placeholder " + matcher.group() + "; a " + task
            + " example uses " + required);
      }
      found.add(matcher.group());
    }
    for (String placeholder : required) {
      if (found.stream().filter(placeholder::equals).count() != 1) {
        throw new InvalidInputException("prompt.example: '" + example + "' must hold " + placeholder + " exactly once; a "
            + task + " example uses " + required);
      }
    }
    if (!found.getLast().equals(required.getLast())) {
      throw new InvalidInputException("prompt.example: " + required.getLast() + " must be the last placeholder: "
          + "the model continues the query there");
    }
  }

  /** The benchmark's template: its {@code prompt}, or the task's default. */
  public static PromptTemplate of(BenchmarkSpec benchmark) {
    String example = benchmark.prompt != null && benchmark.prompt.example != null ? benchmark.prompt.example
        : benchmark.task == BenchmarkTask.Captioning ? DEFAULT_CAPTION_EXAMPLE : DEFAULT_VQA_EXAMPLE;
    return new PromptTemplate(benchmark.prompt == null ? "" : benchmark.prompt.prefix, example, benchmark.task);
  }

  /** The placeholder the model fills in: {@code {caption}} or {@code {answer}}. */
  public String target() {
    return task == BenchmarkTask.Captioning ? CAPTION : ANSWER;
  }

  /** One support example, with its values in place. */
  String example(Map<String, String> values) {
    return fill(example, values);
  }

  /** The query: the example up to the target, values in place, trailing spaces dropped. */
  String query(Map<String, String> values) {
    return fill(example.substring(0, example.indexOf(target())), values).stripTrailing();
  }

  /**
   * The example's literal text between and around its placeholders, each trimmed, empty ones left
   * out: a continuation that writes one of them has started the next example.
   */
  public List<String> literals() {
    List<String> out = new ArrayList<>();
    for (String part : PLACEHOLDER.split(example, -1)) {
      if (!part.isBlank()) {
        out.add(part.strip());
      }
    }
    return out;
  }

  private static String fill(String text, Map<String, String> values) {
    StringBuilder out = new StringBuilder();
    Matcher matcher = PLACEHOLDER.matcher(text);
    int last = 0;
    while (matcher.find()) {
      out.append(text, last, matcher.start()).append(values.get(matcher.group()));
      last = matcher.end();
    }
    return out.append(text.substring(last)).toString();
  }
}
