package dev.mm1.evaluator.metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * Python's {@code str.split()}, {@code str.strip()} and {@code str.lower()} as the official scorers
 * run them: pycocoevalcap on Python 3, the VQA evaluation on Python 2.7 (whose Unicode 5.2 tables
 * still count U+180E as whitespace, and whose {@code lower()} maps one character to one).
 */
final class PythonText {
  static final PythonText PYTHON3 = new PythonText(false);
  static final PythonText PYTHON2 = new PythonText(true);

  private final boolean python2;

  private PythonText(boolean python2) {
    this.python2 = python2;
  }

  /** Whether {@code str.isspace()} holds for this character. */
  boolean isSpace(char c) {
    return switch (c) {
      case ' ', '\t', '\n', '\u000B', '\u000C', '\r', '\u001C', '\u001D', '\u001E', '\u001F', '\u0085', '\u00A0',
          '\u1680', '\u2028', '\u2029', '\u202F', '\u205F', '\u3000' -> true;
      case '\u180E' -> python2;
      default -> c >= '\u2000' && c <= '\u200A';
    };
  }

  /** {@code text.split()}: the runs of non-whitespace, in order. */
  List<String> split(String text) {
    List<String> parts = new ArrayList<>();
    int start = -1;
    for (int i = 0; i < text.length(); i++) {
      if (isSpace(text.charAt(i))) {
        if (start >= 0) {
          parts.add(text.substring(start, i));
          start = -1;
        }
      } else if (start < 0) {
        start = i;
      }
    }
    if (start >= 0) {
      parts.add(text.substring(start));
    }
    return parts;
  }

  /** {@code text.strip()}. */
  String strip(String text) {
    int start = 0;
    int end = text.length();
    while (start < end && isSpace(text.charAt(start))) {
      start++;
    }
    while (end > start && isSpace(text.charAt(end - 1))) {
      end--;
    }
    return text.substring(start, end);
  }

  /** {@code text.lower()}: Python 2 maps each code point to one, Python 3 uses full case mappings. */
  String lower(String text) {
    if (!python2) {
      return text.toLowerCase(java.util.Locale.ROOT);
    }
    StringBuilder out = new StringBuilder(text.length());
    text.codePoints().forEach(c -> out.appendCodePoint(Character.toLowerCase(c)));
    return out.toString();
  }
}
