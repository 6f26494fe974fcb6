package dev.mm1.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.training.ParameterStore;

/** Token embedding table (V, D); also the output head when embeddings are tied. */
public final class TokenEmbedding extends MM1Block {
  private final Parameter weight;

  public TokenEmbedding(long vocabSize, long dim) {
    this.weight = parameter("weight", new Shape(vocabSize, dim), WEIGHT_INIT);
  }

  /** Embeds ids (B, T) of any integer type into (B, T, D). */
  @Override
  public NDArray forward(ParameterStore store, NDArray ids, boolean training) {
    var longIds = ids.getDataType() == DataType.INT64 ? ids : ids.toType(DataType.INT64, false);
    return Embedding.embedding(longIds, value(store, weight, ids, training), SparseFormat.DENSE).singletonOrThrow();
  }

  /** The long-lived manager of the weights, for constant tables built once (rotary cos/sin). */
  ai.djl.ndarray.NDManager tableManager() {
    return weight.getArray().getManager();
  }

  NDArray table(ParameterStore store, NDArray like, boolean training) {
    return value(store, weight, like, training);
  }
}
