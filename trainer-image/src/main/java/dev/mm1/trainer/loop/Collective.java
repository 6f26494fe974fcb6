package dev.mm1.trainer.loop;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.mm1.trainer.checkpoint.GangCheckpoint;
import java.util.List;

/**
 * What the training loop needs from the other data-parallel ranks. One process is world size 1
 * ({@link SingleProcess}); several processes use a ring over TCP on CPU
 * ({@code dev.mm1.trainer.collective.RingCollective}); on GPUs an NCCL communicator implements
 * the same calls on device memory (docs/architecture.md, "Data-parallel training"). Every rank calls
 * the same operations in the same order with arrays of the same shapes; a lost peer ends any call
 * with {@code PeerLostException}.
 */
public interface Collective extends AutoCloseable {
  int rank();

  int worldSize();

  /** Sum of {@code values} over all ranks, element-wise (counts, loss sums); the same bits on every rank. */
  double[] allReduceSum(double[] values);

  /** Sums {@code arrays} over all ranks, in place (gradients already scaled by 1 / global targets). */
  void allReduceSum(List<NDArray> arrays);

  /** Averages {@code arrays} over all ranks, in place. */
  default void allReduceAverage(List<NDArray> arrays) {
    allReduceSum(arrays);
    for (var array : arrays) {
      array.divi(worldSize());
    }
  }

  /** Every rank's {@code text}, in rank order (pipeline states for a checkpoint). */
  List<String> allGather(String text);

  /** Makes {@code arrays} equal to rank 0's on every rank (initial weights). */
  void broadcast(List<NDArray> arrays);

  /** Returns once every rank has called it. */
  void barrier();

  /**
   * Reduce-scatter: sums {@code arrays} (laid end to end, flattened, in order) over all ranks and
   * returns this rank's part of the sum, elements {@code [partition.start(rank), partition.end(rank))},
   * as a new 1-D array in {@code manager}. {@code arrays} themselves are left unspecified.
   */
  NDArray reduceScatterSum(List<NDArray> arrays, Partition partition, NDManager manager);

  /**
   * All-gather: every rank gives its {@code part} (1-D, {@code partition.length(rank)} elements);
   * afterwards {@code arrays}, laid end to end, hold every rank's part.
   */
  void allGather(NDArray part, Partition partition, List<NDArray> arrays);

  /** How the ranks tell rank 0 that their parts of a checkpoint are written (ZeRO-1 shards). */
  GangCheckpoint checkpointParts();

  /** Leaves the gang because this rank failed; the other ranks stop and name {@code reason}. */
  default void abort(String reason) {
    close();
  }

  /** Leaves the gang after the last collective operation. */
  @Override
  void close();
}
