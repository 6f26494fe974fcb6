package dev.mm1.trainer.loop;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.mm1.model.MM1Model;
import dev.mm1.trainer.checkpoint.Checkpoint;
import dev.mm1.trainer.checkpoint.CheckpointWriter;
import dev.mm1.trainer.checkpoint.ShardedSnapshot;
import dev.mm1.trainer.checkpoint.TrainerState;
import dev.mm1.trainer.checkpoint.TrainingSnapshot;
import dev.mm1.trainer.optim.AdamW;
import dev.mm1.trainer.optim.SavedMoments;
import dev.mm1.trainer.optim.ShardedAdamW;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How one rank turns the gradients it accumulated into the gang's update: every rank sums all
 * gradients and runs AdamW on all parameters ({@link Replicated}, also world size 1), or with
 * ZeRO-1 every rank gets the sum of its part only, updates that part, and the parts are gathered
 * ({@link Sharded}).
 */
sealed interface ParameterUpdate permits ParameterUpdate.Replicated, ParameterUpdate.Sharded {
  /**
   * Sums the gradients over the ranks and returns this rank's term of the squared global gradient
   * norm; the terms are summed over the ranks by the caller, so every rank clips alike.
   */
  double synchronize(NDManager step);

  /** One optimizer step with learning rate {@code lr} and clipping factor {@code scale}; gradients are zeroed. */
  void apply(double lr, double scale, NDManager step);

  /** A skipped step: gradients are zeroed. */
  void skip();

  /** Loads the moments (and update count) from a checkpoint, whichever layout it was saved in. */
  void restore(Checkpoint checkpoint) throws IOException;

  /** Called once the weights are final for this start (initialised, loaded and broadcast). */
  void weightsReady();

  /** This rank's part of the checkpoint of {@code step}; {@code state} is rank 0's, null elsewhere. */
  CheckpointWriter.Snapshot snapshot(long step, MM1Model model, TrainerState state, CheckpointWriter.Part part);

  /** All trainable gradients, summed over ranks in place; every rank keeps whole AdamW moments. */
  final class Replicated implements ParameterUpdate {
    private final AdamW adam;
    private final Map<String, Parameter> trainable;
    private final Collective collective;

    Replicated(AdamW adam, Map<String, Parameter> trainable, Collective collective) {
      this.adam = adam;
      this.trainable = trainable;
      this.collective = collective;
    }

    @Override
    public double synchronize(NDManager step) {
      if (collective.worldSize() > 1) {
        var gradients = adam.gradients();
        collective.allReduceSum(gradients);
        gradients.forEach(NDArray::close);
      }
      double squares = adam.gradientSquareSum(step).getFloat();
      // Rank 0's norm for everyone: the replicas then clip alike even if sums differ in the last bit.
      return collective.rank() == 0 ? squares : 0;
    }

    @Override
    public void apply(double lr, double scale, NDManager step) {
      adam.update(lr, scale, step);
    }

    @Override
    public void skip() {
      adam.zeroGradients();
    }

    @Override
    public void restore(Checkpoint checkpoint) throws IOException {
      try (var saved = SavedMoments.open(checkpoint.optimizer(), checkpoint.optimizerShards(), trainable)) {
        var moments = new LinkedHashMap<String, float[][]>();
        for (var name : adam.moments().keySet()) {
          moments.put(name, new float[][] {saved.of(ShardedAdamW.FIRST, name), saved.of(ShardedAdamW.SECOND, name)});
        }
        adam.restore(saved.steps(), moments);
      }
    }

    @Override
    public void weightsReady() {}

    @Override
    public CheckpointWriter.Snapshot snapshot(long step, MM1Model model, TrainerState state, CheckpointWriter.Part part) {
      return TrainingSnapshot.of(step, model, adam, state);
    }
  }

  /** ZeRO-1: a reduce-scatter of the gradients, this rank's part updated, an all-gather of the weights. */
  final class Sharded implements ParameterUpdate {
    private final ShardedAdamW optimizer;
    private final Collective collective;
    private NDArray gradient;

    Sharded(ShardedAdamW optimizer, Collective collective) {
      this.optimizer = optimizer;
      this.collective = collective;
    }

    private java.util.List<NDArray> arrays() {
      return optimizer.parameters().values().stream().map(Parameter::getArray).toList();
    }

    @Override
    public double synchronize(NDManager step) {
      var gradients = optimizer.parameters().values().stream().map(p -> p.getArray().getGradient()).toList();
      gradient = collective.reduceScatterSum(gradients, optimizer.partition(), step);
      gradients.forEach(NDArray::close);
      return gradient.square().sum().getFloat();
    }

    @Override
    public void apply(double lr, double scale, NDManager step) {
      var updated = optimizer.update(gradient, lr, scale, step);
      collective.allGather(updated, optimizer.partition(), arrays());
      gradient = null;
    }

    @Override
    public void skip() {
      optimizer.zeroGradients();
      gradient = null;
    }

    @Override
    public void restore(Checkpoint checkpoint) throws IOException {
      try (var saved = SavedMoments.open(checkpoint.optimizer(), checkpoint.optimizerShards(), optimizer.parameters())) {
        var partition = optimizer.partition();
        int rank = optimizer.rank();
        optimizer.restore(saved.steps(), saved.range(ShardedAdamW.FIRST, partition.start(rank), partition.length(rank)),
            saved.range(ShardedAdamW.SECOND, partition.start(rank), partition.length(rank)));
      }
    }

    @Override
    public void weightsReady() {
      optimizer.takeWeights();
    }

    @Override
    public CheckpointWriter.Snapshot snapshot(long step, MM1Model model, TrainerState state, CheckpointWriter.Part part) {
      return ShardedSnapshot.of(step, model, optimizer, collective.worldSize(), state, part);
    }
  }
}
