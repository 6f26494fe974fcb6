package dev.mm1.controlplane.goodput;

import static dev.mm1.controlplane.goodput.GoodputSignals.CHECKPOINT_STALL;
import static dev.mm1.controlplane.goodput.GoodputSignals.DATA_WAIT;
import static dev.mm1.controlplane.goodput.GoodputSignals.LOSS;
import static dev.mm1.controlplane.goodput.GoodputSignals.MFU;
import static dev.mm1.controlplane.goodput.GoodputSignals.RECOMPUTED_STEPS;
import static dev.mm1.controlplane.goodput.GoodputSignals.RESTART_GAP;
import static dev.mm1.controlplane.goodput.GoodputSignals.STARTUP;
import static dev.mm1.controlplane.goodput.GoodputSignals.STEP_TIME;

import dev.mm1.controlplane.goodput.Goodput.AttemptGoodput;
import dev.mm1.controlplane.goodput.Goodput.Cause;
import dev.mm1.controlplane.goodput.Goodput.Segment;
import dev.mm1.controlplane.text.Units;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Computes {@link Goodput} from a run's attempts (its state changes) and the totals of the
 * trainer's goodput signals within each attempt. Pure: the same inputs give the same bars.
 *
 * <p>Each attempt's wall time is split exactly: its time outside state Running by state
 * (scheduling badput), and its running time into start-up, productive steps, data waits,
 * checkpoint stalls, lost progress, restart gap and other. Signals reported by a later attempt
 * about the one before are charged to that one: the steps recomputed after a resume (at the mean
 * step time of the attempt that lost them) and the part of the trainer's restart gap that lies
 * before the restart was recorded. Should the reported times exceed an attempt's running time
 * (clocks that disagree), they are scaled down to fit and a note says by how much.
 */
public final class GoodputCalculator {
  private GoodputCalculator() {}

  /**
   * One signal series' points within one attempt.
   *
   * @param count how many
   * @param sum their sum
   * @param firstStep lowest step
   * @param lastStep highest step
   * @param firstTime earliest recorded time
   * @param lastTime latest recorded time
   */
  public record SignalTotal(long count, double sum, long firstStep, long lastStep, Instant firstTime, Instant lastTime) {
    double mean() {
      return sum / count;
    }
  }

  /**
   * The goodput of a run from its attempts and, per attempt (same index), the totals of each
   * signal series it reported.
   */
  public static Goodput compute(List<Attempts.Window> windows, List<Map<String, SignalTotal>> totals, boolean live) {
    List<String> notes = new ArrayList<>();
    List<AttemptGoodput> attempts = new ArrayList<>();
    Map<Cause, Double> run = new EnumMap<>(Cause.class);
    double running = 0;
    double mfuSum = 0;
    long mfuCount = 0;
    for (int i = 0; i < windows.size(); i++) {
      Attempts.Window window = windows.get(i);
      Map<String, SignalTotal> own = totals.get(i);
      Map<String, SignalTotal> next = i + 1 < windows.size() ? totals.get(i + 1) : Map.of();
      Map<Cause, Double> seconds = new EnumMap<>(Cause.class);
      double attemptRunning = 0;
      for (Attempts.StateSpan span : window.spans()) {
        switch (span.state()) {
          case Running -> attemptRunning += span.seconds();
          case Pending -> seconds.merge(Cause.queued, span.seconds(), Double::sum);
          case Restarting -> seconds.merge(Cause.restarting, span.seconds(), Double::sum);
          case Suspended -> seconds.merge(Cause.suspended, span.seconds(), Double::sum);
          case Succeeded, Failed, Cancelled -> seconds.merge(Cause.other, span.seconds(), Double::sum);
        }
      }
      SignalTotal stepTime = own.get(STEP_TIME);
      double stepMean = stepTime != null ? stepTime.mean()
          : next.containsKey(STEP_TIME) ? next.get(STEP_TIME).mean() : Double.NaN;
      Map<Cause, Double> runtime = new EnumMap<>(Cause.class);
      runtime.put(Cause.startup, sum(own, STARTUP));
      runtime.put(Cause.data, sum(own, DATA_WAIT));
      runtime.put(Cause.checkpoint, sum(own, CHECKPOINT_STALL));
      // Steps recomputed after a resume were lost by the attempt before (by this one when it is the first).
      double recomputed = sum(next, RECOMPUTED_STEPS) + (i == 0 ? sum(own, RECOMPUTED_STEPS) : 0);
      if (recomputed > 0 && Double.isNaN(stepMean)) {
        notes.add(String.format(Locale.ROOT, "Attempt %d: %.0f recomputed steps are not counted as lost progress;"
            + " no %s was reported to price them.", window.attempt(), recomputed, STEP_TIME));
      } else {
        runtime.put(Cause.lost, recomputed * (Double.isNaN(stepMean) ? 0 : stepMean));
      }
      runtime.put(Cause.restartGap, restartGapBeforeNext(i, windows, totals));
      double measuredBadput = runtime.values().stream().mapToDouble(Double::doubleValue).sum();
      if (stepTime != null) {
        runtime.put(Cause.productive, Math.max(0, stepTime.sum() - sum(own, DATA_WAIT) - sum(own, CHECKPOINT_STALL)));
      } else {
        boolean anySteps = own.containsKey(LOSS) || own.containsKey(MFU);
        runtime.put(Cause.productive, anySteps ? Math.max(0, attemptRunning - measuredBadput) : 0);
        if (anySteps) {
          notes.add("Attempt " + window.attempt() + ": no " + STEP_TIME + " was reported; productive time is its"
              + " running time less the badput its other signals measured.");
        }
      }
      double reported = measuredBadput + runtime.get(Cause.productive);
      if (reported > attemptRunning + 1e-6) {
        double scale = attemptRunning / reported;
        if (attemptRunning == 0) {
          notes.add(String.format(Locale.ROOT, "Attempt %d: the trainer reported %s of step and badput time, but"
              + " the run was never in state Running during the attempt, so none of it is placed.",
              window.attempt(), Units.duration(reported)));
        } else {
          notes.add(String.format(Locale.ROOT, "Attempt %d: reported times (%s) exceed its running time (%s);"
              + " scaled down to fit (do the trainer's and the control plane's clocks agree?).",
              window.attempt(), Units.duration(reported), Units.duration(attemptRunning)));
        }
        runtime.replaceAll((cause, value) -> value * scale);
        reported = attemptRunning;
      }
      runtime.forEach((cause, value) -> seconds.merge(cause, value, Double::sum));
      seconds.merge(Cause.other, Math.max(0, attemptRunning - reported), Double::sum);

      double wall = Goodput.seconds(window.start(), window.end());
      List<Segment> segments = segments(seconds);
      SignalTotal steps = stepTime != null ? stepTime : own.get(LOSS);
      SignalTotal mfu = own.get(MFU);
      SignalTotal gap = own.get(RESTART_GAP);
      attempts.add(new AttemptGoodput(window.attempt(), window.start(), window.end(), wall,
          steps == null ? null : steps.firstStep(), steps == null ? null : steps.lastStep(),
          mfu == null ? null : mfu.mean(), gap == null ? null : gap.sum(), segments, window.endedBy()));
      seconds.forEach((cause, value) -> run.merge(cause, value, Double::sum));
      running += attemptRunning;
      if (mfu != null) {
        mfuSum += mfu.sum();
        mfuCount += mfu.count();
      }
    }
    Instant start = windows.getFirst().start();
    Instant end = windows.getLast().end();
    double wall = Goodput.seconds(start, end);
    double productive = run.getOrDefault(Cause.productive, 0.0);
    Double scheduling = wall > 0 ? running / wall : null;
    Double runtimeGoodput = running > 0 ? productive / running : null;
    Double program = mfuCount > 0 ? mfuSum / mfuCount : null;
    Double overall = scheduling == null || runtimeGoodput == null || program == null ? null
        : scheduling * runtimeGoodput * program;
    return new Goodput(start, end, live, wall, running, productive, scheduling, runtimeGoodput, program, overall,
        segments(run), attempts, notes);
  }

  /**
   * The part of the next attempt's reported restart gap that lies in this attempt: the gap runs
   * from this attempt's last step to the next one's first step, and the next attempt's own window
   * covers only the time from its start to its first step.
   */
  private static double restartGapBeforeNext(int i, List<Attempts.Window> windows,
      List<Map<String, SignalTotal>> totals) {
    if (i + 1 >= windows.size()) {
      return 0;
    }
    SignalTotal gap = totals.get(i + 1).get(RESTART_GAP);
    if (gap == null) {
      return 0;
    }
    Instant firstStep = totals.get(i + 1).values().stream().map(SignalTotal::firstTime).min(Instant::compareTo)
        .orElse(windows.get(i + 1).start());
    double sinceRestart = Math.max(0, Goodput.seconds(windows.get(i + 1).start(), firstStep));
    return Math.max(0, gap.sum() - sinceRestart);
  }

  private static double sum(Map<String, SignalTotal> totals, String name) {
    SignalTotal total = totals.get(name);
    return total == null ? 0 : total.sum();
  }

  /** Every cause in the bar's order, zero when absent. */
  private static List<Segment> segments(Map<Cause, Double> seconds) {
    List<Segment> segments = new ArrayList<>();
    for (Cause cause : Cause.values()) {
      segments.add(Segment.of(cause, seconds.getOrDefault(cause, 0.0)));
    }
    return segments;
  }
}
