package dev.mm1.api.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mm1.api.v1alpha1.CommittedCheckpoint;
import dev.mm1.api.v1alpha1.MM1Eval;
import dev.mm1.api.v1alpha1.ModelSpec;

/**
 * The evaluator configuration JSON, rendered from an MM1Eval by the operator (into the eval's
 * ConfigMap) and by {@code ./mm1 eval -f} on one machine: one renderer for both.
 */
public final class EvalConfig {
  private EvalConfig() {}

  /**
   * Renders the evaluator's view of {@code eval}: benchmarks, gate, the model (the eval's own, else
   * the source training's) and the resolved checkpoint with the directory the evaluator reads it from.
   *
   * @param sourceModel the model of the training the checkpoint comes from, or null
   * @param checkpointPath the checkpoint's directory as the evaluator process sees it
   */
  public static String render(MM1Eval eval, CommittedCheckpoint checkpoint, ModelSpec sourceModel,
      String checkpointPath) {
    var config = (ObjectNode) Canonical.tree(eval.getSpec());
    config.retain("benchmarks", "gate", "model");
    if (!config.has("model") && sourceModel != null) {
      config.set("model", Canonical.tree(sourceModel));
    }
    var resolved = (ObjectNode) Canonical.tree(checkpoint);
    resolved.put("path", checkpointPath);
    config.set("checkpoint", resolved);
    var run = config.putObject("run");
    run.put("name", eval.getMetadata().getName());
    run.put("namespace", eval.getMetadata().getNamespace());
    run.put("uid", eval.getMetadata().getUid());
    return Canonical.text(config);
  }
}
