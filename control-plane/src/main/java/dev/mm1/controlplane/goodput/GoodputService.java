package dev.mm1.controlplane.goodput;

import dev.mm1.controlplane.runs.RunService;
import dev.mm1.controlplane.runs.RunView;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;

/** The goodput of a run, live: its attempts from the state changes, the rest from the trainer's signals. */
@ApplicationScoped
public class GoodputService {
  private final RunService runs;
  private final GoodputRepository signals;
  private final Clock clock = Clock.systemUTC();

  GoodputService(RunService runs, GoodputRepository signals) {
    this.runs = runs;
    this.signals = signals;
  }

  /** The goodput of a run, or a 404 naming the id. */
  public Goodput of(String runId) throws SQLException {
    RunView run = runs.get(runId);
    List<Attempts.Window> windows = Attempts.of(run.run().createdAt(), runs.transitions(runId), clock.instant());
    var totals = signals.totals(run.id(), windows.stream().map(Attempts.Window::start).toList());
    return GoodputCalculator.compute(windows, totals, !run.run().state().isFinal());
  }
}
