package dev.mm1.controlplane.goodput;

import static dev.mm1.api.rest.RunState.Failed;
import static dev.mm1.api.rest.RunState.Pending;
import static dev.mm1.api.rest.RunState.Restarting;
import static dev.mm1.api.rest.RunState.Running;
import static dev.mm1.api.rest.RunState.Succeeded;
import static dev.mm1.api.rest.RunState.Suspended;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.mm1.api.rest.RunState;
import dev.mm1.api.rest.RunStateChange;
import dev.mm1.controlplane.goodput.Goodput.Cause;
import dev.mm1.controlplane.goodput.Goodput.Segment;
import dev.mm1.controlplane.goodput.GoodputCalculator.SignalTotal;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Attempts from state changes, and the goodput decomposition of seeded runs, to the second. */
class GoodputCalculatorTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  private static Instant at(String hhmmss) {
    return Instant.parse("2026-03-01T" + hhmmss + "Z");
  }

  private static RunStateChange change(RunState from, RunState to, String reason, String time, Integer attempt) {
    return new RunStateChange(from, to, reason, reason + " message", "operator", at(time), attempt);
  }

  /** A run with one gang restart, as the operator reports it (no attempt numbers). */
  private static final List<RunStateChange> ONE_RESTART = List.of(
      change(null, Pending, "Registered", "10:00:00", null),
      change(Pending, Running, "Running", "10:05:00", null),
      change(Running, Restarting, "GangRestarted", "11:05:00", null),
      change(Restarting, Pending, "WorkersStarting", "11:06:00", null),
      change(Pending, Running, "Running", "11:08:00", null),
      change(Running, Succeeded, "Completed", "12:08:00", null));

  private static SignalTotal total(long count, double sum, long firstStep, long lastStep, String first, String last) {
    return new SignalTotal(count, sum, firstStep, lastStep, at(first), at(last));
  }

  private static Map<Cause, Double> bar(List<Segment> segments) {
    Map<Cause, Double> bar = new LinkedHashMap<>();
    segments.forEach(s -> bar.put(s.cause(), s.seconds()));
    return bar;
  }

  @Test
  void attemptsSplitAtTheRestartAndEndAtTheFinalState() {
    List<Attempts.Window> windows = Attempts.of(T0, ONE_RESTART, at("23:00:00"));
    assertThat(windows).extracting(Attempts.Window::attempt).containsExactly(1, 2);
    assertThat(windows.get(0).start()).isEqualTo(T0);
    assertThat(windows.get(0).end()).isEqualTo(at("11:05:00"));
    assertThat(windows.get(0).endedBy().reason()).isEqualTo("GangRestarted");
    assertThat(windows.get(1).end()).isEqualTo(at("12:08:00")); // the final state, not now
    assertThat(windows.get(1).endedBy().to()).isEqualTo(Succeeded);
    assertThat(windows.get(1).spans()).extracting(Attempts.StateSpan::state).containsExactly(Restarting, Pending, Running);
  }

  @Test
  void oneRestartDecomposedToTheSecond() {
    Map<String, SignalTotal> first = new HashMap<>();
    first.put(GoodputSignals.STEP_TIME, total(2000, 2200, 1, 2000, "10:05:30", "10:42:10"));
    first.put(GoodputSignals.DATA_WAIT, total(2000, 150, 1, 2000, "10:05:30", "10:42:10"));
    first.put(GoodputSignals.CHECKPOINT_STALL, total(2, 60, 1000, 2000, "10:24:00", "10:42:10"));
    first.put(GoodputSignals.STARTUP, total(1, 30, 1, 1, "10:05:30", "10:05:30"));
    first.put(GoodputSignals.MFU, total(2000, 1000, 1, 2000, "10:05:30", "10:42:10"));
    Map<String, SignalTotal> second = new HashMap<>();
    second.put(GoodputSignals.STEP_TIME, total(3000, 3240, 2001, 5000, "11:08:40", "12:07:00"));
    second.put(GoodputSignals.DATA_WAIT, total(3000, 90, 2001, 5000, "11:08:40", "12:07:00"));
    second.put(GoodputSignals.CHECKPOINT_STALL, total(2, 60, 3000, 5000, "11:30:00", "12:07:00"));
    second.put(GoodputSignals.STARTUP, total(1, 40, 2001, 2001, "11:08:40", "11:08:40"));
    second.put(GoodputSignals.MFU, total(3000, 1800, 2001, 5000, "11:08:40", "12:07:00"));
    second.put(GoodputSignals.RESTART_GAP, total(1, 400, 2001, 2001, "11:08:40", "11:08:40"));
    second.put(GoodputSignals.RECOMPUTED_STEPS, total(1, 1000, 2001, 2001, "11:08:40", "11:08:40"));

    Goodput g = GoodputCalculator.compute(Attempts.of(T0, ONE_RESTART, at("23:00:00")), List.of(first, second), false);

    // Attempt 1: 300 s queued, 3600 s running = start-up 30 + productive (2200 - 150 - 60) + data 150
    // + checkpoints 60 + lost (1000 recomputed steps x 1.1 s) + restart gap (400 - 220 s after the
    // restart) + other 90.
    assertThat(bar(g.attempts().get(0).segments())).containsExactly(
        Map.entry(Cause.queued, 300.0), Map.entry(Cause.restarting, 0.0), Map.entry(Cause.suspended, 0.0),
        Map.entry(Cause.productive, 1990.0), Map.entry(Cause.startup, 30.0), Map.entry(Cause.data, 150.0),
        Map.entry(Cause.checkpoint, 60.0), Map.entry(Cause.lost, 1100.0), Map.entry(Cause.restartGap, 180.0),
        Map.entry(Cause.other, 90.0));
    assertThat(g.attempts().get(0).wallSeconds()).isEqualTo(3900.0);
    assertThat(g.attempts().get(0).endedBy().reason()).isEqualTo("GangRestarted");
    assertThat(g.attempts().get(0).firstStep()).isEqualTo(1L);
    assertThat(g.attempts().get(0).lastStep()).isEqualTo(2000L);
    assertThat(g.attempts().get(0).mfu()).isEqualTo(0.5);
    // Attempt 2: 60 s restarting, 120 s queued, 3600 s running.
    Map<Cause, Double> second2 = bar(g.attempts().get(1).segments());
    assertThat(second2.get(Cause.restarting)).isEqualTo(60.0);
    assertThat(second2.get(Cause.queued)).isEqualTo(120.0);
    assertThat(second2.get(Cause.productive)).isEqualTo(3090.0);
    assertThat(second2.get(Cause.other)).isCloseTo(320.0, within(1e-9));
    assertThat(g.attempts().get(1).restartGapSeconds()).isEqualTo(400.0);

    assertThat(g.wallSeconds()).isEqualTo(7680.0);
    assertThat(g.segments().stream().mapToDouble(Segment::seconds).sum()).isCloseTo(7680.0, within(1e-9));
    assertThat(g.runningSeconds()).isEqualTo(7200.0);
    assertThat(g.scheduling()).isEqualTo(7200.0 / 7680);
    assertThat(g.runtime()).isEqualTo(5080.0 / 7200);
    assertThat(g.program()).isEqualTo(0.56); // (1000 + 1800) / (2000 + 3000) steps
    assertThat(g.overall()).isCloseTo(7200.0 / 7680 * 5080.0 / 7200 * 0.56, within(1e-12));
    assertThat(g.live()).isFalse();
    assertThat(g.notes()).isEmpty();
  }

  @Test
  void reportedAttemptsWinAndAResumeAfterSuspensionStartsAnAttempt() {
    List<RunStateChange> changes = List.of(
        change(null, Pending, "Registered", "10:00:00", null),
        change(Pending, Running, "Running", "10:01:00", 1),
        change(Running, Suspended, "Suspended", "10:31:00", null),
        change(Suspended, Pending, "WorkersStarting", "10:41:00", null), // resumed: attempt 2, inferred
        change(Pending, Running, "Running", "10:42:00", 2),
        change(Running, Running, "Running", "10:50:00", 3), // restarted without an operator: the trainer says 3
        change(Running, Failed, "NonRetryableExit", "11:00:00", null));
    List<Attempts.Window> windows = Attempts.of(T0, changes, at("23:00:00"));
    assertThat(windows).extracting(Attempts.Window::attempt).containsExactly(1, 2, 3);
    assertThat(windows.get(0).endedBy().reason()).isEqualTo("Suspended"); // the suspension, not the resume
    assertThat(windows.get(1).start()).isEqualTo(at("10:41:00"));
    assertThat(windows.get(2).endedBy().reason()).isEqualTo("NonRetryableExit");

    Goodput g = GoodputCalculator.compute(windows, List.of(Map.of(), Map.of(), Map.of()), false);
    assertThat(bar(g.attempts().get(0).segments())).containsEntry(Cause.queued, 60.0)
        .containsEntry(Cause.suspended, 600.0).containsEntry(Cause.other, 1800.0);
    assertThat(g.wallSeconds()).isEqualTo(3600.0);
    assertThat(g.segments().stream().mapToDouble(Segment::seconds).sum()).isEqualTo(3600.0);
    assertThat(g.runtime()).isEqualTo(0.0);
    assertThat(g.program()).isNull();
    assertThat(g.overall()).isNull();
    assertThat(g.hasSteps()).isFalse();
  }

  @Test
  void aLiveRunEndsNowAndReportsMoreThanItsRunningTimeAreScaledWithANote() {
    List<RunStateChange> changes = List.of(change(null, Pending, "Registered", "10:00:00", null),
        change(Pending, Running, "Running", "10:00:10", null));
    Map<String, SignalTotal> signals = Map.of(
        GoodputSignals.STEP_TIME, total(100, 80, 1, 100, "10:00:20", "10:01:00"),
        GoodputSignals.DATA_WAIT, total(100, 20, 1, 100, "10:00:20", "10:01:00"));
    Goodput g = GoodputCalculator.compute(Attempts.of(T0, changes, at("10:01:00")), List.of(signals), true);
    assertThat(g.live()).isTrue();
    assertThat(g.wallSeconds()).isEqualTo(60.0);
    // 80 s of steps in 50 s of running: scaled by 50/80 (productive 60 -> 37.5, data 20 -> 12.5).
    Map<Cause, Double> bar = bar(g.segments());
    assertThat(bar.get(Cause.productive)).isEqualTo(37.5);
    assertThat(bar.get(Cause.data)).isEqualTo(12.5);
    assertThat(bar.get(Cause.other)).isEqualTo(0.0);
    assertThat(bar.values().stream().mapToDouble(Double::doubleValue).sum()).isEqualTo(60.0);
    assertThat(g.notes()).singleElement().asString().contains("exceed its running time (50 s)");
  }

  @Test
  void withoutStepTimesProductiveIsTheRunningTimeLessTheMeasuredBadput() {
    List<RunStateChange> changes = List.of(change(null, Pending, "Registered", "10:00:00", null),
        change(Pending, Running, "Running", "10:00:00", null), change(Running, Succeeded, "Completed", "10:10:00", null));
    Map<String, SignalTotal> signals = Map.of(
        GoodputSignals.LOSS, total(500, 900, 1, 500, "10:00:05", "10:09:59"),
        GoodputSignals.DATA_WAIT, total(500, 100, 1, 500, "10:00:05", "10:09:59"));
    Goodput g = GoodputCalculator.compute(Attempts.of(T0, changes, at("23:00:00")), List.of(signals), false);
    assertThat(bar(g.segments())).containsEntry(Cause.productive, 500.0).containsEntry(Cause.data, 100.0)
        .containsEntry(Cause.other, 0.0);
    assertThat(g.attempts().getFirst().lastStep()).isEqualTo(500L);
    assertThat(g.notes()).singleElement().asString().contains("no step_time_s was reported");
  }
}
