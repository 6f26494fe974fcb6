package dev.mm1.api.v1alpha1;

/** Learning-rate decay after warm-up, down to the minimum learning rate. */
public enum LearningRateSchedule {
  /** Half-cosine decay. */
  Cosine,
  /** Linear decay. */
  Linear,
  /** No decay. */
  Constant
}
