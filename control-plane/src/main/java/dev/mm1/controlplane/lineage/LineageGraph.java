package dev.mm1.controlplane.lineage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mm1.api.rest.Run;
import dev.mm1.api.rest.RunKind;
import dev.mm1.controlplane.evals.CheckpointView;
import io.quarkus.qute.TemplateData;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A run's family as a small left-to-right graph: pre-training → SFT → evals, a column per
 * generation, each edge labelled with the checkpoint that connects the two runs. Pure layout:
 * coordinates are computed here, the page draws them as SVG.
 *
 * @param nodes the runs, with their boxes
 * @param edges parent → child, with the connecting checkpoint
 * @param width drawing width in px
 * @param height drawing height in px
 * @param hidden how many runs of the family were left out to keep the graph readable
 */
@TemplateData
public record LineageGraph(List<Node> nodes, List<Edge> edges, int width, int height, int hidden) {
  static final int NODE_WIDTH = 190;
  static final int NODE_HEIGHT = 48;
  static final int COLUMN_GAP = 110;
  static final int ROW_GAP = 18;
  static final int MARGIN = 8;
  /** Past this many runs the graph stops being a picture; the rest is counted in {@link #hidden}. */
  static final int MAX_NODES = 40;

  public int nodeWidth() {
    return NODE_WIDTH;
  }

  public int nodeHeight() {
    return NODE_HEIGHT;
  }

  /** A run's box. {@code current} marks the run whose page this is. */
  @TemplateData
  public record Node(Run run, int x, int y, boolean current) {
    /** The name, shortened to fit its box (the full name is the tooltip). */
    public String shortName() {
      return run.name().length() <= 24 ? run.name() : run.name().substring(0, 23) + "…";
    }
  }

  /**
   * An edge from a parent's box to a child's. {@code checkpoint} is the parent's checkpoint the
   * child started from or evaluated, when it is registered; otherwise {@code label} says what the
   * child's spec asked for.
   */
  @TemplateData
  public record Edge(Node from, Node to, CheckpointView checkpoint, String label) {
    /** An S-curve from the parent's right side to the child's left side. */
    public String path() {
      int x1 = from.x() + NODE_WIDTH;
      int y1 = from.y() + NODE_HEIGHT / 2;
      int x2 = to.x();
      int y2 = to.y() + NODE_HEIGHT / 2;
      int mid = (x1 + x2) / 2;
      return "M" + x1 + "," + y1 + " C" + mid + "," + y1 + " " + mid + "," + y2 + " " + x2 + "," + y2;
    }

    public int labelX() {
      return (from.x() + NODE_WIDTH + to.x()) / 2;
    }

    public int labelY() {
      return (from.y() + to.y()) / 2 + NODE_HEIGHT / 2 - 4;
    }
  }

  /** The runs of a family that are drawn, placed, and how many the family has in all. */
  public record Placement(List<Node> nodes, int familySize) {}

  /**
   * Places a family's runs (the current one included), parents before children, a column per
   * generation. Depth-first order keeps each parent's children together. Past {@link #MAX_NODES}
   * runs are left out, never the current run's ancestors and never a child without its parent.
   */
  public static Placement place(Run current, List<Run> family) {
    Map<String, Run> byId = new LinkedHashMap<>();
    family.forEach(r -> byId.put(r.id(), r));
    byId.putIfAbsent(current.id(), current);
    Map<String, List<Run>> children = new HashMap<>();
    List<Run> roots = new ArrayList<>();
    for (Run r : byId.values()) {
      if (r.parentRunId() != null && byId.containsKey(r.parentRunId())) {
        children.computeIfAbsent(r.parentRunId(), k -> new ArrayList<>()).add(r);
      } else {
        roots.add(r);
      }
    }
    children.values().forEach(list -> list.sort(Comparator.comparing(Run::createdAt).thenComparing(Run::id)));
    List<Run> ordered = new ArrayList<>();
    Map<String, Integer> depth = new HashMap<>();
    for (Run root : roots) {
      visit(root, 0, children, depth, ordered);
    }
    Set<String> path = pathTo(current, byId);
    int pathLeft = path.size();
    Map<Integer, Integer> rows = new HashMap<>();
    Map<String, Node> nodes = new LinkedHashMap<>();
    for (Run r : ordered) {
      boolean onPath = path.contains(r.id());
      if (onPath) {
        pathLeft--;
      }
      boolean parentShown = r.parentRunId() == null || !byId.containsKey(r.parentRunId())
          || nodes.containsKey(r.parentRunId());
      if (!parentShown || (!onPath && nodes.size() + pathLeft >= MAX_NODES)) {
        continue;
      }
      int column = depth.get(r.id());
      int row = rows.merge(column, 1, Integer::sum) - 1;
      nodes.put(r.id(), new Node(r, MARGIN + column * (NODE_WIDTH + COLUMN_GAP),
          MARGIN + row * (NODE_HEIGHT + ROW_GAP), r.id().equals(current.id())));
    }
    return new Placement(List.copyOf(nodes.values()), byId.size());
  }

  /**
   * The graph of placed runs, with edges labelled by the connecting checkpoint: {@code checkpoints}
   * holds each drawn training's checkpoints, {@code scored} each drawn eval's scored checkpoint ids.
   */
  public static LineageGraph of(Placement placement, Map<String, List<CheckpointView>> checkpoints,
      Map<String, List<Long>> scored) {
    Map<String, Node> nodes = new LinkedHashMap<>();
    placement.nodes().forEach(n -> nodes.put(n.run().id(), n));
    List<Edge> edges = new ArrayList<>();
    for (Node node : nodes.values()) {
      Node parent = node.run().parentRunId() == null ? null : nodes.get(node.run().parentRunId());
      if (parent != null) {
        Optional<CheckpointView> checkpoint = connecting(node.run(),
            checkpoints.getOrDefault(parent.run().id(), List.of()), scored.getOrDefault(node.run().id(), List.of()));
        edges.add(new Edge(parent, node, checkpoint.orElse(null),
            checkpoint.map(c -> "step " + c.record().step()).orElse(requested(node.run()))));
      }
    }
    int width = nodes.values().stream().mapToInt(n -> n.x() + NODE_WIDTH + MARGIN).max().orElse(0);
    int height = nodes.values().stream().mapToInt(n -> n.y() + NODE_HEIGHT + MARGIN).max().orElse(0);
    return new LineageGraph(List.copyOf(nodes.values()), edges, width, height, placement.familySize() - nodes.size());
  }

  private static void visit(Run run, int d, Map<String, List<Run>> children, Map<String, Integer> depth, List<Run> out) {
    if (depth.containsKey(run.id())) {
      return;
    }
    depth.put(run.id(), d);
    out.add(run);
    for (Run child : children.getOrDefault(run.id(), List.of())) {
      visit(child, d + 1, children, depth, out);
    }
  }

  /** The current run and its ancestors within the family. */
  private static Set<String> pathTo(Run current, Map<String, Run> byId) {
    Set<String> path = new HashSet<>();
    for (Run r = current; r != null && !path.contains(r.id()); r = r.parentRunId() == null ? null : byId.get(r.parentRunId())) {
      path.add(r.id());
    }
    return path;
  }

  /** The child's checkpoint reference in its spec: an eval's {@code checkpoint}, a training's {@code init}. */
  private static JsonNode reference(Run child) {
    return child.spec() == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance()
        : child.spec().path(child.kind() == RunKind.Eval ? "checkpoint" : "init");
  }

  /**
   * The parent checkpoint that connects a child: the one its results scored (an eval that scored
   * one checkpoint), else the one its spec names by URI or step, else for "latest" the newest the
   * parent had committed when the child was registered.
   */
  static Optional<CheckpointView> connecting(Run child, List<CheckpointView> parentCheckpoints, List<Long> scored) {
    List<Long> distinct = scored.stream().distinct().toList();
    if (distinct.size() == 1) {
      Optional<CheckpointView> found = parentCheckpoints.stream().filter(c -> c.id() == distinct.getFirst()).findFirst();
      if (found.isPresent()) {
        return found;
      }
    }
    JsonNode ref = reference(child);
    String uri = ref.path("uri").asText("");
    if (!uri.isEmpty()) {
      return parentCheckpoints.stream().filter(c -> c.record().uri().equals(uri)).findFirst();
    }
    String step = ref.path("step").asText("latest");
    if (!step.isEmpty() && step.chars().allMatch(Character::isDigit)) {
      long wanted = Long.parseLong(step);
      return parentCheckpoints.stream().filter(c -> c.record().step() == wanted).findFirst();
    }
    Instant registered = child.createdAt();
    return parentCheckpoints.stream()
        .filter(c -> registered == null || !c.record().committedAt().isAfter(registered))
        .max(Comparator.comparingLong(c -> c.record().step()));
  }

  /** What the child asked for when no registered checkpoint matches: "step 2000", "latest", a URI's last part. */
  static String requested(Run child) {
    JsonNode ref = reference(child);
    String uri = ref.path("uri").asText("");
    if (!uri.isEmpty()) {
      return uri.substring(uri.replaceAll("/+$", "").lastIndexOf('/') + 1);
    }
    String step = ref.path("step").asText("");
    return step.isEmpty() ? "" : step.chars().allMatch(Character::isDigit) ? "step " + step : step;
  }
}
