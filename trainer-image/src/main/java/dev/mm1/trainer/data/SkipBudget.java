package dev.mm1.trainer.data;

import dev.mm1.api.v1alpha1.BadSamplePolicy;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Applies the bad-sample policy: under {@code Fail} the first bad sample stops the run with its
 * shard and key; under {@code Skip} bad samples are counted, and the run stops once more than
 * {@code maxSkippedFraction} of the samples seen were bad. The fraction is judged from
 * {@value #MIN_SAMPLES_FOR_FRACTION} samples on (and at the end of a single pass), so that one bad
 * sample early on does not end a run. Shared by the lanes of one process.
 */
public final class SkipBudget {
  static final long MIN_SAMPLES_FOR_FRACTION = 100;

  private final BadSamplePolicy policy;
  private final double maxSkippedFraction;
  private final AtomicLong seen = new AtomicLong();
  private final AtomicLong skipped = new AtomicLong();

  public SkipBudget(BadSamplePolicy policy, double maxSkippedFraction) {
    if (!(maxSkippedFraction >= 0 && maxSkippedFraction <= 1)) {
      throw new IllegalArgumentException("maxSkippedFraction must be within 0..1, got " + maxSkippedFraction);
    }
    this.policy = policy == null ? BadSamplePolicy.Skip : policy;
    this.maxSkippedFraction = maxSkippedFraction;
  }

  void accepted() {
    seen.incrementAndGet();
  }

  /** Counts a bad sample, or throws when the policy or the budget says stop. */
  void skipped(BadSampleException bad) {
    if (policy == BadSamplePolicy.Fail) {
      throw new SkipBudgetExceededException("bad sample (onBadSample: Fail): " + bad.getMessage(), bad);
    }
    long total = seen.incrementAndGet();
    long bads = skipped.incrementAndGet();
    if (total >= MIN_SAMPLES_FOR_FRACTION) {
      check(total, bads, bad.getMessage());
    }
  }

  /** Judges the fraction whatever the sample count, at the end of a single pass. */
  void finish() {
    check(seen.get(), skipped.get(), null);
  }

  private void check(long total, long bads, String last) {
    if (total > 0 && bads > maxSkippedFraction * total) {
      throw new SkipBudgetExceededException(String.format(
          "%d of %d samples (%.2f %%) were bad and skipped, more than maxSkippedFraction %.2f %%%s", bads, total,
          100.0 * bads / total, 100 * maxSkippedFraction, last == null ? "" : "; the last: " + last), null);
    }
  }

  /** Restores counts saved in a pipeline state. */
  void add(long seenSamples, long skippedSamples) {
    seen.addAndGet(seenSamples);
    skipped.addAndGet(skippedSamples);
  }

  public long seen() {
    return seen.get();
  }

  public long skipped() {
    return skipped.get();
  }
}
