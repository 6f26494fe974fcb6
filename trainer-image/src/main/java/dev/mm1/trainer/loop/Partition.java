package dev.mm1.trainer.loop;

import java.util.Arrays;

/**
 * How a flat vector (the trainable parameters laid end to end, in name order) is split among the
 * data-parallel ranks: rank {@code r} owns elements {@code [start(r), end(r))}. ZeRO-1 gives each
 * rank the optimizer state and the update of its part.
 *
 * @param starts {@code parts + 1} ascending offsets, the first 0 and the last the total
 */
public record Partition(long[] starts) {
  public Partition {
    starts = starts.clone();
    if (starts.length < 2 || starts[0] != 0) {
      throw new IllegalArgumentException("a partition needs offsets 0 ... total, got " + Arrays.toString(starts));
    }
    for (int i = 1; i < starts.length; i++) {
      if (starts[i] < starts[i - 1] || starts[i] - starts[i - 1] > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("partition offsets must ascend by at most 2^31 - 1, got " + Arrays.toString(starts));
      }
    }
  }

  /** {@code total} elements in {@code parts} parts whose sizes differ by at most one. */
  public static Partition even(long total, int parts) {
    var starts = new long[parts + 1];
    for (int r = 0; r <= parts; r++) {
      starts[r] = Math.multiplyExact(total, r) / parts;
    }
    return new Partition(starts);
  }

  public int parts() {
    return starts.length - 1;
  }

  public long total() {
    return starts[starts.length - 1];
  }

  public long start(int rank) {
    return starts[rank];
  }

  public long end(int rank) {
    return starts[rank + 1];
  }

  public int length(int rank) {
    return (int) (starts[rank + 1] - starts[rank]);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Partition partition && Arrays.equals(starts, partition.starts);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(starts);
  }

  @Override
  public String toString() {
    return "Partition" + Arrays.toString(starts);
  }
}
