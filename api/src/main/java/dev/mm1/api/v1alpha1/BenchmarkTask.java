package dev.mm1.api.v1alpha1;

/** Evaluation tasks and their official metrics. */
public enum BenchmarkTask {
  /** Image captioning scored with CIDEr-D against reference captions. */
  Captioning,
  /** Visual question answering scored with VQAv2 accuracy (min(matches / 3, 1)). */
  VQA
}
