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
