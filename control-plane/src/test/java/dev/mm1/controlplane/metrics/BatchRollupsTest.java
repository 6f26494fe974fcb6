package dev.mm1.controlplane.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The rollup rows of a batch, as SQL's min/max over ARRAY[value, step] would compute them. */
class BatchRollupsTest {

  @Test
  void bucketsPerSeriesAndWidthWithExtremesAtTheirSteps() {
    int[] ids = {1, 1, 1, 1, 2};
    long[] steps = {0, 3, 4, 9, 4};
    double[] values = {5.0, 1.0, 1.0, 5.0, 7.0};
    long[] times = {100, 103, 104, 109, 204};
    BatchRollups r = BatchRollups.of(new int[] {4, 8}, ids, steps, values, times);

    // width 4: series 1 buckets 0 (steps 0, 3), 1 (step 4), 2 (step 9); series 2 bucket 1. Then width 8.
    assertThat(r.widths()).containsExactly(4, 4, 4, 4, 8, 8, 8);
    assertThat(r.seriesIds()).containsExactly(1, 1, 1, 2, 1, 1, 2);
    assertThat(r.buckets()).containsExactly(0L, 1L, 2L, 1L, 0L, 1L, 0L);
    assertThat(r.counts()).containsExactly(2, 1, 1, 1, 3, 1, 1);
    // Width 8, series 1: 1.0 at steps 3 and 4, the minimum keeps the lower step; 5.0 at 0 and 9 lie in different buckets.
    assertThat(r.minValues()[4]).isEqualTo(1.0);
    assertThat(r.minSteps()[4]).isEqualTo(3L);
    assertThat(r.maxValues()[4]).isEqualTo(5.0);
    assertThat(r.maxSteps()[4]).isEqualTo(0L);
    assertThat(r.minSteps()[0]).isEqualTo(3L);
    assertThat(r.maxSteps()[0]).isEqualTo(0L);
    // Each extreme keeps the time of its own point.
    assertThat(r.minTimes()[4]).isEqualTo(103L);
    assertThat(r.maxTimes()[4]).isEqualTo(100L);
    assertThat(r.minTimes()[6]).isEqualTo(204L);
    assertThat(r.maxTimes()[6]).isEqualTo(204L);
  }

  @Test
  void equalMaximaKeepTheHigherStep() {
    BatchRollups r = BatchRollups.of(new int[] {64}, new int[] {1, 1, 1}, new long[] {1, 2, 3}, new double[] {2.0, 2.0, 1.0},
        new long[] {10, 20, 30});
    assertThat(r.maxSteps()).containsExactly(2L);
    assertThat(r.maxTimes()).containsExactly(20L);
    assertThat(r.minTimes()).containsExactly(30L);
    assertThat(r.minSteps()).containsExactly(3L);
  }
}
