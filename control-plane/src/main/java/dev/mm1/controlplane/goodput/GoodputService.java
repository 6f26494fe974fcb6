package dev.mm1.controlplane.goodput;

import dev.mm1.controlplane.runs.RunService;
import dev.mm1.controlplane.runs.RunView;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The goodput of a run, live: its attempts from the state changes, the rest from the trainer's signals. */
@ApplicationScoped
public class GoodputService {
  private final RunService runs;
  private final GoodputRepository signals;
  private final Clock clock = Clock.systemUTC();
  /**
   * The signal sums read last, per run: they cost a pass over the run's points, and a finished
   * run's never change. Bounded: past this many runs the cache starts over.
   */
  private final Map<Long, Cached> cache = new ConcurrentHashMap<>();
  private static final int CACHED_RUNS = 256;

  GoodputService(RunService runs, GoodputRepository signals) {
    this.runs = runs;
    this.signals = signals;
  }

  /** The goodput of a run, or a 404 naming the id. */
  public Goodput of(String runId) throws SQLException {
    RunView run = runs.get(runId);
    List<Attempts.Window> windows = Attempts.of(run.run().createdAt(), runs.transitions(runId), clock.instant());
    List<Instant> starts = windows.stream().map(Attempts.Window::start).toList();
    // Every report and state change moves the run's updatedAt: until then the sums stand.
    Key key = new Key(run.id(), run.run().updatedAt(), starts);
    Cached cached = cache.get(run.id());
    List<Map<String, GoodputCalculator.SignalTotal>> totals;
    if (cached != null && cached.key().equals(key)) {
      totals = cached.totals();
    } else {
      List<String> names = new ArrayList<>(signals.reported(run.id()));
      if (names.contains(GoodputSignals.STEP_TIME)) {
        names.remove(GoodputSignals.LOSS); // only places steps when step times are missing
      }
      totals = signals.totals(run.id(), starts, names);
      if (cache.size() >= CACHED_RUNS) {
        cache.clear();
      }
      cache.put(run.id(), new Cached(key, totals));
    }
    return GoodputCalculator.compute(windows, totals, !run.run().state().isFinal());
  }

  private record Key(long runId, Instant updatedAt, List<Instant> attemptStarts) {}

  private record Cached(Key key, List<Map<String, GoodputCalculator.SignalTotal>> totals) {}
}
