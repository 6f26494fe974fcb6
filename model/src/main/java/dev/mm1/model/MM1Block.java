package dev.mm1.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Base of every MM1 block: children and parameters carry plain names, so a whole model has
 * dotted parameter names ({@code decoder.layers.3.attention.wq.weight}) for safetensors; all
 * parameter shapes are known at construction, so initialisation needs no input shapes.
 */
public abstract class MM1Block extends AbstractBlock {
  /** GPT-2's initialisation of weight matrices. */
  static final Initializer WEIGHT_INIT = new NormalInitializer(0.02f);

  static final Initializer ONES = new ConstantInitializer(1f);
  static final Initializer ZEROS = new ConstantInitializer(0f);

  private final Map<String, Block> namedChildren = new LinkedHashMap<>();

  protected <B extends Block> B child(String name, B block) {
    namedChildren.put(name, block);
    return addChildBlock(name, block);
  }

  protected Parameter parameter(String name, Shape shape, Initializer initializer) {
    return addParameter(Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).optShape(shape)
        .optInitializer(initializer).build());
  }

  /** Children by their plain names, in registration order. */
  Map<String, Block> namedChildren() {
    return Collections.unmodifiableMap(namedChildren);
  }

  /** Every parameter of this block and its descendants under its dotted name. */
  public Map<String, Parameter> namedParameters() {
    var out = new LinkedHashMap<String, Parameter>();
    collect("", this, out);
    return out;
  }

  private static void collect(String prefix, Block block, Map<String, Parameter> out) {
    if (!(block instanceof MM1Block mm1)) {
      throw new IllegalStateException("block " + prefix + " is not an MM1Block");
    }
    mm1.getDirectParameters().forEach(pair -> out.put(prefix + pair.getKey(), pair.getValue()));
    mm1.namedChildren.forEach((name, child) -> collect(prefix + name + ".", child, out));
  }

  /** The value of {@code parameter} for a forward pass on {@code input}'s device. */
  static NDArray value(ParameterStore store, Parameter parameter, NDArray input, boolean training) {
    return store.getValue(parameter, input.getDevice(), training);
  }

  /**
   * SiLU, x·sigmoid(x) (swish with beta 1). Not DJL's {@code swish}: it multiplies by beta made from a
   * Java number, which autograd keeps in a JVM buffer a garbage collection may free (see
   * {@link HostArrays#scalar}).
   */
  static NDArray silu(NDArray x) {
    return x.mul(ai.djl.nn.Activation.sigmoid(x));
  }

  /**
   * Hands {@code result} to {@code owner}'s manager. Results of ops whose first operand is a
   * parameter land in the long-lived parameter manager and would keep every step's graph alive.
   */
  static NDArray ownedBy(NDArray result, NDArray owner) {
    result.attach(owner.getManager());
    return result;
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    for (var child : namedChildren.values()) {
      child.initialize(manager, dataType, inputShapes);
    }
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    throw new UnsupportedOperationException(getClass().getSimpleName()
        + " output shapes depend on the batch's images and placeholders; run a forward pass");
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    return new NDList(forward(store, inputs.singletonOrThrow(), training));
  }

  /** The block's forward pass on one input tensor. */
  public abstract NDArray forward(ParameterStore store, NDArray input, boolean training);
}
