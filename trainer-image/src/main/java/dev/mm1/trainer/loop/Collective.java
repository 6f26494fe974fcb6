package dev.mm1.trainer.loop;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * What the training loop needs from the other data-parallel ranks. One process is world size 1
 * ({@link SingleProcess}); a multi-process implementation (a ring over TCP on CPU, NCCL on GPUs)
 * plugs in behind the same calls.
 */
public interface Collective extends AutoCloseable {
  int rank();

  int worldSize();

  /** Sum of {@code values} over all ranks, element-wise (counts, loss sums). */
  double[] allReduceSum(double[] values);

  /** Sums {@code arrays} over all ranks, in place (gradients already scaled by 1 / global targets). */
  void allReduceSum(List<NDArray> arrays);

  /** Every rank's {@code text}, in rank order (pipeline states for a checkpoint). */
  List<String> allGather(String text);

  /** Makes {@code arrays} equal to rank 0's on every rank (initial weights). */
  void broadcast(List<NDArray> arrays);

  @Override
  void close();
}
