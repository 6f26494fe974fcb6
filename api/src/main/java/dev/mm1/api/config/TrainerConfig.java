package dev.mm1.api.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mm1.api.v1alpha1.CommittedCheckpoint;
import dev.mm1.api.v1alpha1.MM1Training;
import dev.mm1.api.v1alpha1.MM1TrainingSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The trainer configuration JSON the operator renders into the ConfigMap, and the "accepted spec":
 * the part of a spec that cannot change once the first Job exists.
 *
 * @param json the rendered configuration (canonical JSON text)
 * @param hash its sha256, put on the pod template so a changed configuration is a visible change
 */
public record TrainerConfig(String json, String hash) {
  public static final String FILE = "config.json";
  public static final String ACCEPTED_SPEC_FILE = "accepted-spec.json";
  public static final String MOUNT_DIR = "/etc/mm1";

  /**
   * Renders the trainer's view of {@code training}: its spec without the scheduling parts, the
   * checkpoint directory, and the resolved init checkpoint (SFT) when there is one.
   */
  public static TrainerConfig render(MM1Training training, String checkpointDir, CommittedCheckpoint init) {
    int gpus = training.getSpec().resources.gpusPerNode == null ? 0 : training.getSpec().resources.gpusPerNode;
    var processes = training.getSpec().resources.processesPerNode;
    return render(training, checkpointDir, init, null, processes != null ? processes : Math.max(gpus, 1));
  }

  /**
   * As {@link #render(MM1Training, String, CommittedCheckpoint)}, with where the init checkpoint is
   * mounted in the pod ({@code init.resolved.path}, null when the trainer reads the URI itself) and
   * the process model: {@code run.processesPerNode} and {@code run.worldSize} = nodes x processes.
   */
  public static TrainerConfig render(MM1Training training, String checkpointDir, CommittedCheckpoint init, String initPath,
      int processesPerNode) {
    var spec = training.getSpec();
    var config = ((ObjectNode) Canonical.tree(spec)).deepCopy();
    for (var field : List.of("resources", "failurePolicy", "suspend", "ttlSecondsAfterFinished", "image")) {
      config.remove(field);
    }
    config.remove("pod"); // service account, volumes and env are the pod's business, not the trainer's
    var checkpoints = (ObjectNode) config.path("checkpoints");
    checkpoints.retain("everySteps", "keepLast");
    checkpoints.put("dir", checkpointDir);
    if (init != null) {
      var resolved = (ObjectNode) Canonical.tree(init);
      if (initPath != null) {
        resolved.put("path", initPath);
      }
      ((ObjectNode) config.with("init")).set("resolved", resolved);
    }
    var run = config.putObject("run");
    run.put("name", training.getMetadata().getName());
    run.put("namespace", training.getMetadata().getNamespace());
    run.put("uid", training.getMetadata().getUid());
    run.put("nodes", spec.resources.nodes);
    run.put("gpusPerNode", spec.resources.gpusPerNode);
    run.put("processesPerNode", processesPerNode);
    run.put("worldSize", spec.resources.nodes * processesPerNode);
    var json = Canonical.text(config);
    return new TrainerConfig(json, Canonical.sha256(json));
  }

  /**
   * Fields of the rendered config a run may change and still resume from its checkpoints: the
   * step count (the schedule follows the new total), checkpoint cadence and retention, the
   * bad-sample budget, where the checkpoint directory is mounted, the init checkpoint (used only
   * at step 0), the run's identity and process model, and the data-parallel settings (ZeRO-1
   * checkpoints load into any world size with or without sharding; buckets and timeouts do not
   * change what is learned). Anything else (model, data, optimizer settings, batch sizes)
   * changes what the checkpoints mean, so a resume under it is refused.
   */
  public static final List<String> RESUMABLE_FIELDS = List.of("optimization.steps", "checkpoints", "init",
      "data.onBadSample", "data.maxSkippedFraction", "run", "dataParallel");

  /** The rendered config without {@link #RESUMABLE_FIELDS}: what a checkpoint must have been made under. */
  public static JsonNode resumeRelevant(String json) {
    var tree = (ObjectNode) parse(json);
    for (var field : RESUMABLE_FIELDS) {
      var dot = field.lastIndexOf('.');
      var parent = dot < 0 ? tree : tree.path(field.substring(0, dot));
      if (parent instanceof ObjectNode object) {
        object.remove(field.substring(dot + 1));
      }
    }
    return tree;
  }

  /**
   * A rendered config read back (by the trainer, from {@code MM1_CONFIG}).
   *
   * @param spec the training spec as rendered (scheduling fields absent)
   * @param checkpointDir the checkpoint directory the operator chose, as the pod sees it
   * @param init the resolved init checkpoint, or null
   * @param initPath where the init checkpoint is mounted in the pod, or null
   * @param name the MM1Training's name
   * @param namespace its namespace
   * @param uid its UID
   */
  public record Rendered(MM1TrainingSpec spec, String checkpointDir, CommittedCheckpoint init, String initPath,
      String name, String namespace, String uid) {}

  /** Reads a rendered config; an error names what is wrong with it. */
  public static Rendered read(String json) {
    var tree = (ObjectNode) parse(json);
    var run = tree.path("run");
    var checkpointDir = tree.path("checkpoints").path("dir").asText(null);
    var resolved = tree.path("init").path("resolved");
    var specTree = tree.deepCopy();
    specTree.remove("run");
    if (specTree.path("checkpoints") instanceof ObjectNode checkpoints) {
      checkpoints.remove("dir");
    }
    if (specTree.path("init") instanceof ObjectNode init) {
      init.remove("resolved");
    }
    try {
      // Lenient: the spec was validated when it was rendered, and a newer operator may add fields.
      var reader = Canonical.JSON.copy()
          .disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
      var spec = reader.treeToValue(specTree, MM1TrainingSpec.class);
      var init = resolved.isMissingNode() ? null : reader.treeToValue(resolved, CommittedCheckpoint.class);
      return new Rendered(spec, checkpointDir, init, resolved.path("path").asText(null), run.path("name").asText(null),
          run.path("namespace").asText(null), run.path("uid").asText(null));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("the trainer config does not match the MM1Training spec: "
          + e.getOriginalMessage(), e);
    }
  }

  private static JsonNode parse(String json) {
    try {
      var tree = Canonical.JSON.readTree(json);
      if (!(tree instanceof ObjectNode)) {
        throw new IllegalArgumentException("the trainer config is not a JSON object");
      }
      return tree;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("the trainer config is not valid JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** The spec fields that may not change after the first Job: all but suspend, maxRestarts and the TTL. */
  public static JsonNode acceptedSpec(MM1TrainingSpec spec) {
    var tree = (ObjectNode) Canonical.tree(spec);
    tree.remove("suspend");
    tree.remove("ttlSecondsAfterFinished");
    if (tree.path("failurePolicy") instanceof ObjectNode policy) {
      policy.remove("maxRestarts");
    }
    return tree;
  }

  /** Paths ({@code spec.optimization.learningRate}) where {@code after} differs from {@code before}. */
  public static List<String> changedFields(JsonNode before, JsonNode after) {
    var changed = new ArrayList<String>();
    diff("spec", before, after, changed);
    return changed;
  }

  private static void diff(String path, JsonNode before, JsonNode after, List<String> changed) {
    if (before != null && after != null && before.isObject() && after.isObject()) {
      var names = new java.util.TreeSet<String>();
      before.fieldNames().forEachRemaining(names::add);
      after.fieldNames().forEachRemaining(names::add);
      for (var name : names) {
        diff(path + "." + name, before.get(name), after.get(name), changed);
      }
    } else if (before == null ? after != null : !before.equals(after)) {
      changed.add(path);
    }
  }

  /** The ConfigMap data: the configuration and the accepted spec it was rendered from. */
  public Map<String, String> data(JsonNode acceptedSpec) {
    return Map.of(FILE, json, ACCEPTED_SPEC_FILE, Canonical.text(acceptedSpec));
  }
}
