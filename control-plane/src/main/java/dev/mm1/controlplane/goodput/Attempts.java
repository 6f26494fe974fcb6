package dev.mm1.controlplane.goodput;

import dev.mm1.api.rest.RunState;
import dev.mm1.api.rest.RunStateChange;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a run's life into attempts from its state changes: attempt 1 starts at registration, and
 * each gang restart (a change into Restarting) or resume after suspension starts the next one. A
 * change that names its attempt is taken at its word (when it names a later one); otherwise the
 * attempt is inferred from that order of states.
 */
public final class Attempts {
  private Attempts() {}

  /** A stretch of time in one state. */
  public record StateSpan(RunState state, Instant from, Instant to) {
    double seconds() {
      return Goodput.seconds(from, to);
    }
  }

  /**
   * One attempt: [start, end) and its states. {@code endedBy} is the change that ended it: the
   * Restarting change that began the next attempt (its message names the failure), the suspension
   * a resume followed, or the final state; null while it runs.
   */
  public record Window(int attempt, Instant start, Instant end, List<StateSpan> spans, RunStateChange endedBy) {}

  /**
   * The attempts of a run registered at {@code created}, from its state changes (oldest first);
   * the last one ends at the final state's change, or at {@code now} while the run is live.
   */
  public static List<Window> of(Instant created, List<RunStateChange> changes, Instant now) {
    record Change(Instant at, RunState state, int attempt, RunStateChange source) {}
    List<Change> timeline = new ArrayList<>();
    int attempt = 1;
    RunState state = RunState.Pending;
    for (RunStateChange change : changes) {
      int next = attempt;
      if (change.attempt() != null) {
        next = Math.max(attempt, change.attempt());
      } else if (change.to() == RunState.Restarting && state != RunState.Restarting) {
        next = attempt + 1;
      } else if (state == RunState.Suspended && change.to() != RunState.Suspended && !change.to().isFinal()) {
        next = attempt + 1;
      }
      Instant at = change.at().isBefore(created) ? created : change.at();
      timeline.add(new Change(at, change.to(), next, change));
      attempt = next;
      state = change.to();
    }
    if (timeline.isEmpty() || timeline.getFirst().at().isAfter(created)) {
      timeline.addFirst(new Change(created, RunState.Pending, 1, null));
    }
    Instant lastChange = timeline.getLast().at();
    Instant end = state.isFinal() || now.isBefore(lastChange) ? lastChange : now;

    List<Window> windows = new ArrayList<>();
    List<StateSpan> spans = new ArrayList<>();
    int current = timeline.getFirst().attempt();
    Instant windowStart = timeline.getFirst().at();
    RunStateChange suspendedBy = null;
    for (int i = 0; i < timeline.size(); i++) {
      Change c = timeline.get(i);
      if (c.attempt() != current) {
        // A restart's change says what failed; a resume's does not, the suspension before it does.
        RunStateChange endedBy = c.state() == RunState.Restarting || suspendedBy == null ? c.source() : suspendedBy;
        windows.add(new Window(current, windowStart, c.at(), List.copyOf(spans), endedBy));
        spans.clear();
        current = c.attempt();
        windowStart = c.at();
        suspendedBy = null;
      }
      Instant to = i + 1 < timeline.size() ? timeline.get(i + 1).at() : end;
      if (to.isAfter(c.at())) {
        spans.add(new StateSpan(c.state(), c.at(), to));
      }
      if (c.state() == RunState.Suspended) {
        suspendedBy = c.source();
      }
    }
    windows.add(new Window(current, windowStart, end, List.copyOf(spans),
        state.isFinal() ? timeline.getLast().source() : null));
    return windows;
  }
}
