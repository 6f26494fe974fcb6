package dev.mm1.controlplane.evals;

import io.quarkus.qute.TemplateData;

/** One eval result with the checkpoint and training it belongs to (checkpoint fields null when unknown). */
@TemplateData
public record Score(
    String benchmark, String dataset, int shots, String metric, double value, int samples,
    Long checkpointId, Long checkpointStep, Long trainingRunId, String trainingName, long evalRunId) {
  /** What is compared across checkpoints: a benchmark, dataset, shot count and metric. */
  public String task() {
    return benchmark + (dataset.isEmpty() ? "" : " (" + dataset + ")") + " " + shots + "-shot " + metric;
  }

  public String valueText() {
    return String.format("%.2f", value);
  }

  public String checkpointLabel() {
    return trainingName == null ? "step " + checkpointStep : trainingName + "@" + checkpointStep;
  }
}
