package dev.mm1.api.v1alpha1;

/** What the data pipeline does with a sample it cannot read. */
public enum BadSamplePolicy {
  /** Skip and count it; fail only past maxSkippedFraction. */
  Skip,
  /** Fail the run, naming the shard and sample key. */
  Fail
}
