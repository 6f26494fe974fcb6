package dev.mm1.controlplane.runs;

import dev.mm1.api.rest.Run;
import io.quarkus.qute.TemplateData;
import java.time.Duration;
import java.time.Instant;

/**
 * A run with what the UI shows beside the API's {@link Run}: total steps (for the progress bar)
 * and the latest throughput.
 */
@TemplateData
public record RunView(Run run, Long totalSteps, Double tokensPerSecond) {
  public long id() {
    return Long.parseLong(run.id());
  }

  public boolean training() {
    return run.kind() == dev.mm1.api.rest.RunKind.Training;
  }

  public String lossText() {
    return run.loss() == null ? "" : String.format("%.4f", run.loss());
  }

  /** Throughput in human units: "12.3 k". */
  public String tokensText() {
    return tokensPerSecond == null ? "" : dev.mm1.controlplane.text.Units.compact(tokensPerSecond);
  }

  /** "1,200 / 5,000" (of the total from the spec's optimization.steps), "1,200", or "" before the first step. */
  public String stepText() {
    if (run.step() == null) {
      return "";
    }
    return String.format(java.util.Locale.ROOT, "%,d", run.step())
        + (totalSteps == null ? "" : String.format(java.util.Locale.ROOT, " / %,d", totalSteps));
  }

  /** Progress in percent, or null when the total is unknown. */
  public Integer percent() {
    if (totalSteps == null || totalSteps <= 0 || run.step() == null) {
      return null;
    }
    return (int) Math.min(100, Math.max(0, run.step() * 100 / totalSteps));
  }

  /** "3m", "5h", "2d": time since registration. */
  public String age() {
    Duration d = Duration.between(run.createdAt(), Instant.now());
    if (d.toMinutes() < 1) {
      return d.toSeconds() + "s";
    }
    if (d.toHours() < 1) {
      return d.toMinutes() + "m";
    }
    return d.toDays() < 1 ? d.toHours() + "h" : d.toDays() + "d";
  }
}
