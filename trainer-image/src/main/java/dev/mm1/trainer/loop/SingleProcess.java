package dev.mm1.trainer.loop;

import ai.djl.ndarray.NDArray;
import java.util.List;

/** World size 1: every collective operation is the identity. */
public final class SingleProcess implements Collective {
  @Override
  public int rank() {
    return 0;
  }

  @Override
  public int worldSize() {
    return 1;
  }

  @Override
  public double[] allReduceSum(double[] values) {
    return values.clone();
  }

  @Override
  public void allReduceSum(List<NDArray> arrays) {}

  @Override
  public List<String> allGather(String text) {
    return List.of(text);
  }

  @Override
  public void broadcast(List<NDArray> arrays) {}

  @Override
  public void close() {}
}
