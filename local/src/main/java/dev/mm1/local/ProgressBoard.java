package dev.mm1.local;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One line per run on stderr, redrawn in place on a terminal (a progress bar per run); elsewhere
 * (a log, CI) a line is printed when a run's line changes its phase or passes another tenth of its
 * steps. Notices (a process restarted, a step failed) go above the lines.
 */
final class ProgressBoard {
  private final PrintStream out;
  private final boolean terminal;
  private final Map<String, String> lines = new LinkedHashMap<>();
  private final Map<String, String> printedKey = new LinkedHashMap<>();
  private int drawn;

  ProgressBoard(PrintStream out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  /** Whether stderr is most likely a terminal (the console is, and TERM is not dumb). */
  static boolean onTerminal() {
    var console = System.console();
    var term = System.getenv("TERM");
    return console != null && console.isTerminal() && term != null && !term.equals("dumb");
  }

  /**
   * Sets the line of {@code run}; {@code key} is what makes a new line worth printing where lines
   * cannot be redrawn (phase and tenth of progress).
   */
  synchronized void update(String run, String line, String key) {
    lines.put(run, line);
    if (terminal) {
      redraw();
    } else if (!key.equals(printedKey.get(run))) {
      printedKey.put(run, key);
      out.println(line);
      out.flush();
    }
  }

  synchronized void notice(String text) {
    if (terminal) {
      clear();
      out.println(text);
      redraw();
    } else {
      out.println(text);
      out.flush();
    }
  }

  /** Leaves the lines as they are and stops redrawing them. */
  synchronized void finish() {
    drawn = 0;
  }

  private void clear() {
    for (int i = 0; i < drawn; i++) {
      out.print("\033[1A\033[2K");
    }
    drawn = 0;
  }

  private void redraw() {
    clear();
    for (var line : lines.values()) {
      out.println(line);
    }
    drawn = lines.size();
    out.flush();
  }

  /** A bar of {@code width} cells, {@code done} of {@code total}. */
  static String bar(long done, long total, int width) {
    int filled = total <= 0 ? 0 : (int) Math.min(width, done * width / total);
    return "[" + "#".repeat(filled) + ".".repeat(width - filled) + "]";
  }
}
