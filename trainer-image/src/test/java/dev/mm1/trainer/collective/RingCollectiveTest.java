package dev.mm1.trainer.collective;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mm1.model.HostArrays;
import dev.mm1.trainer.loop.Partition;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The ring collective among 2 to 4 ranks (threads of this JVM over loopback TCP): every operation
 * gives every rank the same bits, equal to a reference computed directly; buckets far smaller than
 * the arrays and partitions that do not divide evenly change nothing.
 */
class RingCollectiveTest {
  private static final Shape[] SHAPES = {new Shape(7, 13), new Shape(1000), new Shape(3, 5, 11), new Shape(1), new Shape(4099)};

  private static float[][] data(int rank) {
    var random = new Random(100 + rank);
    var out = new float[SHAPES.length][];
    for (int i = 0; i < SHAPES.length; i++) {
      out[i] = new float[(int) SHAPES[i].size()];
      for (int j = 0; j < out[i].length; j++) {
        out[i][j] = (float) random.nextGaussian();
      }
    }
    return out;
  }

  private static List<NDArray> arrays(NDManager manager, float[][] values) {
    var out = new ArrayList<NDArray>();
    for (int i = 0; i < values.length; i++) {
      out.add(HostArrays.of(manager, values[i], SHAPES[i]));
    }
    return out;
  }

  private static float[] flat(List<NDArray> arrays) {
    var out = new ArrayList<Float>();
    for (var array : arrays) {
      for (float f : array.toFloatArray()) {
        out.add(f);
      }
    }
    var result = new float[out.size()];
    for (int i = 0; i < result.length; i++) {
      result[i] = out.get(i);
    }
    return result;
  }

  /** Element-wise sum over ranks in double precision. */
  private static double[] reference(int size) {
    var total = new ArrayList<Double>();
    for (int r = 0; r < size; r++) {
      var values = data(r);
      int k = 0;
      for (var array : values) {
        for (float f : array) {
          if (r == 0) {
            total.add((double) f);
          } else {
            total.set(k, total.get(k) + f);
          }
          k++;
        }
      }
    }
    return total.stream().mapToDouble(Double::doubleValue).toArray();
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 3, 4})
  void allReduceGivesEveryRankTheSameSumInBucketsSmallerThanTheArrays(int size) throws Exception {
    try (var gang = Gang.of(size, Gang.settings(1000)); var manager = NDManager.newBaseManager()) {
      var results = gang.onEveryRank(r -> () -> {
        var arrays = arrays(manager, data(r));
        gang.ranks.get(r).allReduceSum(arrays);
        return flat(arrays);
      });
      var expected = reference(size);
      for (var result : results) {
        assertThat(result).containsExactly(results.getFirst()); // the same bits everywhere
      }
      for (int i = 0; i < expected.length; i++) {
        assertThat((double) results.getFirst()[i]).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-5));
      }
      var counts = gang.onEveryRank(r -> () -> gang.ranks.get(r).allReduceSum(new double[] {r, 1, 0.5}));
      for (var count : counts) {
        assertThat(count).containsExactly(size * (size - 1) / 2.0, size, size * 0.5);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 3})
  void reduceScatterLeavesEachRankItsPartAndAllGatherPutsThePartsBack(int size) throws Exception {
    try (var gang = Gang.of(size, Gang.settings(64)); var manager = NDManager.newBaseManager()) {
      long total = 0;
      for (var shape : SHAPES) {
        total += shape.size();
      }
      var partition = Partition.even(total, size);
      var expected = reference(size);
      var parts = gang.onEveryRank(r -> () -> gang.ranks.get(r).reduceScatterSum(arrays(manager, data(r)), partition, manager)
          .toFloatArray());
      for (int r = 0; r < size; r++) {
        assertThat(parts.get(r)).hasSize(partition.length(r));
        for (int i = 0; i < parts.get(r).length; i++) {
          assertThat((double) parts.get(r)[i]).isCloseTo(expected[(int) partition.start(r) + i],
              org.assertj.core.data.Offset.offset(1e-5));
        }
      }
      var gathered = gang.onEveryRank(r -> () -> {
        var targets = arrays(manager, data(size + r)); // overwritten entirely
        try (var part = HostArrays.of(manager, parts.get(r))) {
          gang.ranks.get(r).allGather(part, partition, targets);
        }
        return flat(targets);
      });
      var whole = new float[(int) total];
      for (int r = 0; r < size; r++) {
        System.arraycopy(parts.get(r), 0, whole, (int) partition.start(r), partition.length(r));
      }
      for (var result : gathered) {
        assertThat(result).containsExactly(whole);
      }
    }
  }

  @Test
  void broadcastGatherAndBarrierAmongThreeRanks() throws Exception {
    try (var gang = Gang.of(3, Gang.settings(100)); var manager = NDManager.newBaseManager()) {
      var received = gang.onEveryRank(r -> () -> {
        var arrays = arrays(manager, data(r));
        gang.ranks.get(r).broadcast(arrays);
        return flat(arrays);
      });
      var sent = flat(arrays(manager, data(0)));
      for (var result : received) {
        assertThat(result).containsExactly(sent);
      }
      var texts = List.of("", "rank one — ünïcödé", "x".repeat(100_000));
      var gathered = gang.onEveryRank(r -> () -> gang.ranks.get(r).allGather(texts.get(r)));
      for (var result : gathered) {
        assertThat(result).isEqualTo(texts);
      }
      gang.onEveryRank(r -> () -> {
        gang.ranks.get(r).barrier();
        return null;
      });
    }
  }
}
