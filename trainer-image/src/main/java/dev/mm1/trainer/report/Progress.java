package dev.mm1.trainer.report;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/**
 * Progress on stderr: a bar redrawn in place on a terminal ({@code step/total, loss, tokens/s,
 * ETA}), plain log lines otherwise (every {@code logEvery} steps and at the last), so that pod logs
 * and CI logs stay readable.
 */
public final class Progress {
  private final PrintStream out;
  private final String prefix;
  private final boolean terminal;
  private final long total;
  private final long logEvery;
  private final long startStep;
  private final long startNanos = System.nanoTime();
  private boolean drawn;

  public Progress(PrintStream out, boolean terminal, long startStep, long total, long logEvery) {
    this(out, "mm1 train", terminal, startStep, total, logEvery);
  }

  /** Progress whose log lines start with {@code prefix} ("mm1 eval"). */
  public Progress(PrintStream out, String prefix, boolean terminal, long startStep, long total, long logEvery) {
    this.out = out;
    this.prefix = prefix;
    this.terminal = terminal;
    this.total = total;
    this.startStep = startStep;
    this.logEvery = Math.max(1, logEvery);
  }

  /** Whether stderr is an interactive terminal. */
  public static boolean stderrIsTerminal() {
    var console = System.console();
    return console != null && console.isTerminal();
  }

  public void step(long step, double loss, double tokensPerSecond) {
    update(step, String.format(Locale.ROOT, "step %d/%d  loss %.4f  %,.0f tok/s", step, total, loss, tokensPerSecond));
  }

  /** Redraws the bar (or logs) at {@code done} of the total, with {@code text} and the ETA. */
  public void update(long step, String text) {
    double elapsed = (System.nanoTime() - startNanos) / 1e9;
    long done = step - startStep;
    double eta = done > 0 ? elapsed / done * (total - step) : Double.NaN;
    text = text + "  ETA " + format(eta);
    if (terminal) {
      int width = 24;
      int filled = (int) Math.round(width * (double) step / total);
      out.print("\r[" + "#".repeat(filled) + ".".repeat(width - filled) + "] " + text + "   ");
      drawn = true;
      if (step == total) {
        out.println();
        drawn = false;
      }
      out.flush();
    } else if (step % logEvery == 0 || step == total || step == startStep + 1) {
      out.println(prefix + ": " + text);
    }
  }

  /** A log line that does not tear the bar. */
  public void log(String message) {
    if (drawn) {
      out.println();
      drawn = false;
    }
    out.println(prefix + ": " + message);
  }

  static String format(double seconds) {
    if (!Double.isFinite(seconds)) {
      return "--";
    }
    var d = Duration.ofSeconds(Math.round(seconds));
    return d.toHours() > 0 ? String.format(Locale.ROOT, "%dh%02dm", d.toHours(), d.toMinutesPart())
        : String.format(Locale.ROOT, "%dm%02ds", d.toMinutes(), d.toSecondsPart());
  }
}
