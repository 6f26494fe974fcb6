package dev.mm1.evaluator.prompt;

import dev.mm1.api.v1alpha1.BenchmarkTask;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns a generated continuation (decoded with special tokens written out) into the prediction a
 * benchmark scores. It ends at the first of: a special token that ends text ({@code <|endofchunk|>},
 * {@code <|eos|>}, {@code <|pad|>}, {@code <image>}, {@code <|user|>}, {@code <|assistant|>}), any
 * literal text of the template's example (the model starting another example, or closing this one),
 * and a line break. Captioning keeps that text, trimmed. VQA wants
 * a short answer: also its first sentence ("Yes. It is red." gives "yes"; "3.5" stays), trimmed and
 * lower-cased; the scorer normalises the rest as the official evaluation does.
 */
public final class AnswerPostProcessor {
  private static final List<String> ENDS = List.of("<|endofchunk|>", "<|eos|>", "<|pad|>", "<image>", "<|user|>",
      "<|assistant|>", "\n");

  private final BenchmarkTask task;
  private final List<String> stops = new ArrayList<>(ENDS);

  public AnswerPostProcessor(PromptTemplate template) {
    this.task = template.task();
    for (String literal : template.literals()) {
      if (!stops.contains(literal)) {
        stops.add(literal);
      }
    }
  }

  /** The prediction to score. */
  public String prediction(String generated) {
    String text = generated;
    for (String stop : stops) {
      int at = text.indexOf(stop);
      if (at >= 0) {
        text = text.substring(0, at);
      }
    }
    text = text.strip();
    if (task == BenchmarkTask.VQA) {
      int sentenceEnd = firstSentenceEnd(text);
      if (sentenceEnd >= 0) {
        text = text.substring(0, sentenceEnd);
      }
      text = text.strip().toLowerCase(Locale.ROOT);
    }
    return text;
  }

  /** A period, exclamation or question mark followed by a space or the end; not a decimal point. */
  private static int firstSentenceEnd(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if ((c == '.' || c == '!' || c == '?') && (i + 1 == text.length() || Character.isWhitespace(text.charAt(i + 1)))) {
        return i;
      }
    }
    return -1;
  }
}
