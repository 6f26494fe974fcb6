package dev.mm1.controlplane.lineage;

import dev.mm1.api.rest.Run;
import dev.mm1.api.rest.RunKind;
import dev.mm1.controlplane.evals.CheckpointRepository;
import dev.mm1.controlplane.evals.CheckpointView;
import dev.mm1.controlplane.evals.EvalResultRepository;
import dev.mm1.controlplane.evals.Score;
import dev.mm1.controlplane.runs.RunRepository;
import dev.mm1.controlplane.runs.RunView;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Gathers a run's family (from its oldest ancestor down) and lays it out as a {@link LineageGraph}. */
@ApplicationScoped
public class LineageService {
  private final RunRepository runs;
  private final CheckpointRepository checkpoints;
  private final EvalResultRepository scores;

  LineageService(RunRepository runs, CheckpointRepository checkpoints, EvalResultRepository scores) {
    this.runs = runs;
    this.checkpoints = checkpoints;
    this.scores = scores;
  }

  /** The graph of the run's family: its root ancestor and every run deriving from it. */
  public LineageGraph graph(RunView run) throws SQLException {
    List<RunView> ancestors = runs.ancestors(run.id());
    RunView root = ancestors.isEmpty() ? run : ancestors.getLast();
    List<Run> family = new ArrayList<>();
    family.add(root.run());
    runs.descendants(root.id()).forEach(r -> family.add(r.run()));
    LineageGraph.Placement placement = LineageGraph.place(run.run(), family);
    Map<String, List<CheckpointView>> trainingCheckpoints = new HashMap<>();
    Map<String, List<Long>> scored = new HashMap<>();
    for (LineageGraph.Node node : placement.nodes()) {
      Run r = node.run();
      if (r.kind() == RunKind.Training) {
        trainingCheckpoints.put(r.id(), checkpoints.list(Long.parseLong(r.id())));
      } else if (r.parentRunId() != null) {
        scored.put(r.id(), scores.ofEvalRun(Long.parseLong(r.id())).stream().map(Score::checkpointId)
            .filter(Objects::nonNull).toList());
      }
    }
    return LineageGraph.of(placement, trainingCheckpoints, scored);
  }
}
