package dev.mm1.controlplane.lineage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mm1.api.rest.CheckpointRecord;
import dev.mm1.api.rest.Run;
import dev.mm1.api.rest.RunKind;
import dev.mm1.api.rest.RunState;
import dev.mm1.controlplane.evals.CheckpointView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The family graph: columns per generation, the connecting checkpoint of each edge, the cap. */
class LineageGraphTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  private static Run run(String id, String parent, RunKind kind, String spec, int minutes) throws Exception {
    return new Run(id, "run-" + id, "ns", kind, "uid-" + id, parent, RunState.Succeeded, JSON.readTree(spec),
        T0.plusSeconds(60L * minutes), T0, null, null, null);
  }

  private static CheckpointView checkpoint(long id, long runId, long step, int minutes) {
    return new CheckpointView(id, runId, "run-" + runId, "ns",
        new CheckpointRecord(step, "file:///c/step-" + step, "a".repeat(64), 1, T0.plusSeconds(60L * minutes)));
  }

  @Test
  void pretrainSftAndEvalsWithTheirCheckpoints() throws Exception {
    Run pretrain = run("1", null, RunKind.Training, "{}", 0);
    Run sft = run("2", "1", RunKind.Training, "{\"init\":{\"fromTraining\":\"run-1\",\"step\":\"2000\"}}", 50);
    Run latest = run("3", "1", RunKind.Eval, "{\"checkpoint\":{\"fromTraining\":\"run-1\",\"step\":\"latest\"}}", 25);
    Run byUri = run("4", "2", RunKind.Eval, "{\"checkpoint\":{\"uri\":\"file:///c/step-300\"}}", 70);
    Run missing = run("5", "2", RunKind.Eval, "{\"checkpoint\":{\"fromTraining\":\"run-2\",\"step\":\"999\"}}", 80);
    var placement = LineageGraph.place(sft, List.of(pretrain, sft, latest, byUri, missing));
    var graph = LineageGraph.of(placement,
        Map.of("1", List.of(checkpoint(11, 1, 1000, 10), checkpoint(12, 1, 2000, 20), checkpoint(13, 1, 3000, 30)),
            "2", List.of(checkpoint(21, 2, 300, 60))),
        Map.of());
    // Columns by generation; children in the order they were registered (the eval at 25 min before the SFT).
    assertThat(graph.nodes()).extracting(n -> n.run().id() + "@" + n.x() + "," + n.y())
        .containsExactly("1@8,8", "3@308,8", "2@308,74", "4@608,8", "5@608,74");
    assertThat(graph.nodes()).filteredOn(LineageGraph.Node::current).extracting(n -> n.run().id()).containsExactly("2");
    // "latest" at registration (25 min): step 2000, not 3000 committed later; by step; by URI; not registered.
    assertThat(graph.edges()).extracting(e -> e.to().run().id() + ":" + e.label()
            + (e.checkpoint() == null ? "" : "#" + e.checkpoint().id()))
        .containsExactly("3:step 2000#12", "2:step 2000#12", "4:step 300#21", "5:step 999");
    assertThat(graph.width()).isEqualTo(8 + 3 * 190 + 2 * 110 + 8);
    assertThat(graph.height()).isEqualTo(8 + 2 * 48 + 18 + 8);
    assertThat(graph.hidden()).isZero();
  }

  @Test
  void anEvalThatScoredOneCheckpointIsLinkedToIt() throws Exception {
    Run pretrain = run("1", null, RunKind.Training, "{}", 0);
    Run eval = run("2", "1", RunKind.Eval, "{\"checkpoint\":{\"fromTraining\":\"run-1\",\"step\":\"latest\"}}", 100);
    var graph = LineageGraph.of(LineageGraph.place(pretrain, List.of(pretrain, eval)),
        Map.of("1", List.of(checkpoint(11, 1, 1000, 10), checkpoint(12, 1, 2000, 20))), Map.of("2", List.of(11L, 11L)));
    assertThat(graph.edges()).singleElement().extracting(e -> e.checkpoint().id()).isEqualTo(11L);
  }

  @Test
  void aLargeFamilyKeepsTheCurrentRunsAncestorsAndCountsTheRest() throws Exception {
    List<Run> family = new ArrayList<>();
    family.add(run("1", null, RunKind.Training, "{}", 0));
    for (int i = 2; i <= 60; i++) {
      family.add(run(String.valueOf(i), "1", RunKind.Eval, "{}", i));
    }
    family.add(run("61", "60", RunKind.Eval, "{}", 61)); // the current run, deep and last
    var placement = LineageGraph.place(family.getLast(), family);
    assertThat(placement.nodes()).hasSize(LineageGraph.MAX_NODES);
    assertThat(placement.nodes()).extracting(n -> n.run().id()).contains("1", "60", "61");
    assertThat(LineageGraph.of(placement, Map.of(), Map.of()).hidden()).isEqualTo(61 - LineageGraph.MAX_NODES);
  }
}
