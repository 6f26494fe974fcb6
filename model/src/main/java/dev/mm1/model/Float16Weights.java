package dev.mm1.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Mixed-precision training with float32 master weights, the recipe of Megatron-LM's fp16 mode and
 * Apex's O2: the model's parameters stay float32 (the optimizer updates them, checkpoints hold
 * them), and each step's forward and backward passes run on float16 copies made here. The copies
 * are leaves of the step's graph; after each backward pass their gradients are added, in float32,
 * into the master parameters' gradients, so accumulation over micro-batches, the data-parallel sum,
 * clipping and AdamW see float32 exactly as in a float32 run. The trainer scales the loss so that
 * float16 gradients neither underflow nor (once the scale has backed off) overflow.
 *
 * <p>Why copies and not a cast inside the graph ({@code torch.autocast}): DJL's cast runs under
 * {@code NoGradGuard}, so a cast array carries no gradient. The model makes its own constants
 * (masks, rotary tables, resampling matrices, images) in the activations' type, and its norms and
 * the loss's softmax are written to be safe in float16 (see {@code RmsNorm}, {@code trainingLoss}).
 * float16 also runs on the CPU engine, about 200× slower than float32: that is the twin the tests
 * use for the GPU path.
 */
public final class Float16Weights extends ParameterStore implements AutoCloseable {
  private final NDManager manager;
  private final Map<String, Copy> copies = new LinkedHashMap<>();

  private record Copy(Parameter master, NDArray half) {}

  /**
   * Copies live in a sub-manager of {@code manager} until {@link #release()}. The trainable
   * {@code masters} get gradient buffers now: DJL hands out a detached zero array as the gradient
   * of a parameter that no backward pass has reached, and adding into that would be lost.
   */
  public Float16Weights(NDManager manager, Collection<Parameter> masters) {
    super(manager, false);
    this.manager = manager.newSubManager();
    try (var scope = manager.newSubManager(); var collector = Engine.getInstance().newGradientCollector()) {
      NDArray zero = null;
      for (var master : masters) {
        var term = master.getArray().sum().mul(0f);
        term.attach(scope);
        zero = zero == null ? term : zero.add(term);
      }
      if (zero != null) {
        collector.backward(zero);
      }
    }
  }

  /** The float16 copy of {@code parameter}, made once per step; frozen parameters' copies take no gradient. */
  @Override
  public NDArray getValue(Parameter parameter, Device device, boolean training) {
    if (parameter == null) {
      return null;
    }
    var copy = copies.get(parameter.getId());
    if (copy == null) {
      var master = parameter.getArray();
      if (!master.getDevice().equals(device)) {
        throw new IllegalArgumentException("parameter " + parameter.getName() + " is on " + master.getDevice()
            + ", the pass on " + device);
      }
      var half = master.toType(DataType.FLOAT16, false); // outside autograd: the copy is a leaf
      half.attach(manager);
      if (training && parameter.requiresGradient()) {
        half.setRequiresGradient(true);
      }
      copy = new Copy(parameter, half);
      copies.put(parameter.getId(), copy);
    }
    return copy.half();
  }

  /**
   * Adds the float16 copies' gradients of the last backward pass into their masters' float32
   * gradients and clears them: call after every backward pass. A float16 gradient that overflowed
   * arrives as inf, which the trainer's non-finite check then sees in the gradient norm.
   */
  public void accumulateGradients() {
    for (var copy : copies.values()) {
      if (!copy.half().hasGradient()) {
        continue;
      }
      try (var gradient = copy.half().getGradient(); var master = copy.master().getArray().getGradient()) {
        try (var wide = gradient.toType(DataType.FLOAT32, false)) {
          master.addi(wide);
        }
        gradient.muli(0);
      }
    }
  }

  /** Drops this step's copies: the next pass copies the updated masters. */
  public void release() {
    for (var copy : copies.values()) {
      copy.half().close();
    }
    copies.clear();
  }

  @Override
  public void close() {
    release();
    manager.close();
  }
}
