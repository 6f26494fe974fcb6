package dev.mm1.controlplane.goodput;

import dev.mm1.api.rest.RunStateChange;
import dev.mm1.controlplane.text.Units;
import io.quarkus.qute.TemplateData;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * {@code GET /api/v1/runs/{id}/goodput}: where a run's wall time went, in the decomposition of
 * Google's ML Productivity Goodput: goodput = scheduling × runtime × program.
 *
 * <ul>
 *   <li><b>scheduling</b>: the time the gang was admitted and running (state Running) over the time
 *       since registration; the rest is waiting (Kueue admission, pods starting), restarting and
 *       suspension;
 *   <li><b>runtime</b>: productive step time over the running time; the rest is badput by cause:
 *       start-up, data loading stalls, checkpoint saves, progress lost to failures (steps run
 *       again), the restart gap while a failed gang still counted as running, and other time no
 *       signal explains;
 *   <li><b>program</b>: the mean model FLOPs utilisation of the steps.
 * </ul>
 *
 * @param start registration
 * @param end the final state's change, or now while the run is live
 * @param live whether the run is still going (the figures grow)
 * @param wallSeconds end − start; {@code segments} add up to it
 * @param runningSeconds time in state Running
 * @param productiveSeconds productive step time
 * @param scheduling running / wall, null when no time has passed
 * @param runtime productive / running, null without running time
 * @param program mean MFU (0..1), null when the trainer reports none
 * @param overall scheduling × runtime × program, null when one of them is
 * @param segments the stacked bar: every cause in a fixed order with its seconds
 * @param attempts the same per attempt, oldest first
 * @param notes what the figures could not account for, for people
 */
@TemplateData
public record Goodput(Instant start, Instant end, boolean live, double wallSeconds, double runningSeconds,
    double productiveSeconds, Double scheduling, Double runtime, Double program, Double overall,
    List<Segment> segments, List<AttemptGoodput> attempts, List<String> notes) {

  /** Whether any step was reported: without steps there is nothing to decompose but waiting. */
  public boolean hasSteps() {
    return attempts.stream().anyMatch(a -> a.firstStep() != null);
  }

  /** Whether the run has run at all (or reported steps): before that the panel has only waiting to show. */
  public boolean started() {
    return hasSteps() || runningSeconds > 0;
  }

  /** The four figures as percentages for people ("62.3 %", "–" when unknown). */
  public String overallText() {
    return Units.percent(overall);
  }

  public String schedulingText() {
    return Units.percent(scheduling);
  }

  public String runtimeText() {
    return Units.percent(runtime);
  }

  public String programText() {
    return Units.percent(program);
  }

  /** Seconds between two instants, with microsecond resolution. */
  static double seconds(Instant from, Instant to) {
    Duration d = Duration.between(from, to);
    return d.getSeconds() + d.getNano() / 1e9;
  }

  /** Where time went: the kind of badput (or goodput) it is. */
  public enum Group {
    scheduling,
    productive,
    runtime
  }

  /** The causes of the stacked bar, in its order. */
  public enum Cause {
    queued("Queued / pods starting", Group.scheduling, "waiting for Kueue to admit the gang or for its workers to be ready"),
    restarting("Restarting", Group.scheduling, "the failed gang being replaced by the next attempt's"),
    suspended("Suspended", Group.scheduling, "spec.suspend was true"),
    productive("Productive steps", Group.productive, "step time less data waits and checkpoint stalls"),
    startup("Start-up", Group.runtime, "process start to the first step of each attempt"),
    data("Data loading stalls", Group.runtime, "steps waiting for their batch"),
    checkpoint("Checkpoint saves", Group.runtime, "training standing still while a checkpoint is taken"),
    lost("Progress lost to failures", Group.runtime, "steps after the last checkpoint, run again after a restart"),
    restartGap("Restart gap", Group.runtime, "a failed gang still counted as running after its last step"),
    other("Other", Group.runtime, "running time no reported signal explains");

    private final String label;
    private final Group group;
    private final String meaning;

    Cause(String label, Group group, String meaning) {
      this.label = label;
      this.group = group;
      this.meaning = meaning;
    }

    public String label() {
      return label;
    }

    public Group group() {
      return group;
    }

    public String meaning() {
      return meaning;
    }
  }

  /** One cause's share of a bar. */
  @TemplateData
  public record Segment(Cause cause, String label, Group group, double seconds) {
    static Segment of(Cause cause, double seconds) {
      return new Segment(cause, cause.label(), cause.group(), seconds);
    }

    public String meaning() {
      return cause.meaning();
    }

    /** Whether it takes any time (the bar and its table leave out causes that took none). */
    public boolean shown() {
      return seconds > 0;
    }
  }

  /**
   * One attempt: its window, steps, MFU, bar and what ended it.
   *
   * @param attempt 1, 2, ...
   * @param start when it began (registration, or the change that started it)
   * @param end when the next began, the final state, or now
   * @param wallSeconds end − start; {@code segments} add up to it
   * @param firstStep the first step it reported (of the steps still stored), or null
   * @param lastStep the last such step, or null
   * @param mfu its mean MFU, or null
   * @param restartGapSeconds for an attempt after a restart: the trainer's gap from the previous
   *     attempt's last step to this attempt's first, or null
   * @param segments its stacked bar
   * @param endedBy the change that ended it (a restart names the failure), or null while it runs
   */
  @TemplateData
  public record AttemptGoodput(int attempt, Instant start, Instant end, double wallSeconds, Long firstStep,
      Long lastStep, Double mfu, Double restartGapSeconds, List<Segment> segments, RunStateChange endedBy) {
    public String mfuText() {
      return Units.percent(mfu);
    }
  }
}
