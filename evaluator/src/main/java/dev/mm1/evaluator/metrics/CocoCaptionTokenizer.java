package dev.mm1.evaluator.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * pycocoevalcap's tokenisation step ({@code PTBTokenizer.tokenize}): the captions, newlines
 * replaced by spaces, are joined one per line and tokenised together ({@link PtbTokenizer}), the
 * i-th output line is the i-th caption's, and tokens that are punctuation are dropped. BLEU and
 * CIDEr-D then split the result on whitespace as Python's {@code str.split()} does.
 *
 * <p>Two quirks are kept on purpose. The bracket tokens come out lower-cased ({@code -lrb-}) while
 * the punctuation list names them in capitals, so brackets stay as words. A caption holding a
 * character the tokenizer takes for a line break (U+000D, U+000B, U+000C, U+2028, U+2029) shifts
 * every later caption by a line, as in the original; {@link #lineBreakInside} lets callers warn.
 */
public final class CocoCaptionTokenizer {
  /** pycocoevalcap's PUNCTUATIONS, compared with the lower-cased tokens. */
  static final Set<String> PUNCTUATIONS = Set.of(
      "''", "'", "``", "`", "-LRB-", "-RRB-", "-LCB-", "-RCB-", ".", "?", "!", ",", ":", "-", "--", "...", ";");

  private CocoCaptionTokenizer() {}

  /** The words of each caption, tokenised together in this order (the order changes context only at line ends). */
  public static List<List<String>> tokenize(List<String> captions) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < captions.size(); i++) {
      if (i > 0) {
        text.append('\n');
      }
      text.append(captions.get(i).replace('\n', ' '));
    }
    List<List<String>> lines = PtbTokenizer.tokenizeLines(text.toString());
    List<List<String>> words = new ArrayList<>(captions.size());
    for (int i = 0; i < captions.size(); i++) {
      List<String> caption = new ArrayList<>();
      for (String token : lines.get(i)) {
        if (!PUNCTUATIONS.contains(token)) {
          caption.addAll(PythonText.PYTHON3.split(token));
        }
      }
      words.add(caption);
    }
    return words;
  }

  /**
   * The first character of {@code caption} that the tokenizer reads as a line break, shifting the
   * captions after it, or -1. A carriage return that ends the caption merges with the separating
   * newline and shifts nothing.
   */
  public static int lineBreakInside(String caption) {
    for (int i = 0; i < caption.length(); i++) {
      char c = caption.charAt(i);
      boolean endingReturn = c == '\r' && i == caption.length() - 1;
      if (!endingReturn && (c == '\r' || c == '\u000B' || c == '\u000C' || c == '\u2028' || c == '\u2029')) {
        return i;
      }
    }
    return -1;
  }
}
