package dev.mm1.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.mm1.model.config.MM1Config;
import dev.mm1.model.config.ParameterCounts;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The MM1 model: image encoder → vision-language connector → decoder. A sequence of text tokens
 * with {@code <image>} placeholders becomes the decoder's input with each placeholder replaced by
 * the connector's tokens of its image; the loss is next-token cross-entropy on text targets plus
 * the MoE auxiliary losses.
 */
public final class MM1Model extends MM1Block {
  private final MM1Config config;
  private final VisionEncoder encoder;
  private final Connector connector;
  private final Decoder decoder;

  public MM1Model(MM1Config config) {
    this.config = config;
    var e = config.encoder();
    this.encoder = child("encoder", new VisionEncoder(e));
    this.connector = child("connector",
        Connector.create(config.connector(), e.width(), e.patches(), config.decoder().width()));
    this.decoder = child("decoder", new Decoder(config.decoder()));
  }

  public MM1Config config() {
    return config;
  }

  public VisionEncoder encoder() {
    return encoder;
  }

  public Connector connector() {
    return connector;
  }

  public Decoder decoder() {
    return decoder;
  }

  /** Parameter counts from the config's shapes. */
  public ParameterCounts counts() {
    return ParameterCounts.of(config);
  }

  /**
   * Allocates and initialises the weights in {@code manager} from {@code seed}, in float32 (the
   * only compute type on CPU), and freezes the encoder if the config says so.
   */
  public void initialize(NDManager manager, long seed) {
    initialize(manager, DataType.FLOAT32, seed);
  }

  /** As {@link #initialize(NDManager, long)}; refuses other compute types before any native call. */
  public void initialize(NDManager manager, DataType dataType, long seed) {
    if (dataType != DataType.FLOAT32) {
      throw new IllegalArgumentException("compute type " + dataType + " is not supported; allowed: float32"
          + (dataType == DataType.BFLOAT16
              ? " (DJL's PyTorch engine aborts the JVM on bfloat16 tensors; bf16 checkpoints load as float32)"
              : " (float16 runs about 200x slower than float32 on CPU)"));
    }
    Engine.getInstance().setRandomSeed((int) seed);
    initialize(manager, dataType, new Shape(1));
    encoder.freezeParameters(config.encoder().freeze());
  }

  /** Parameters the optimizer updates (the frozen encoder's are left out), by dotted name. */
  public List<Parameter> trainableParameters() {
    var out = new ArrayList<Parameter>();
    for (var parameter : namedParameters().values()) {
      if (parameter.requiresGradient()) {
        out.add(parameter);
      }
    }
    return out;
  }

  /** Images (nImages, channels, H, W) to connector tokens (nImages, M, D). */
  public NDArray encodeImages(ParameterStore store, NDArray images, boolean training) {
    return connector.forward(store, encoder.forward(store, images, training), training);
  }

  /** Logits (B, T, V) of text-only token ids (B, T). */
  @Override
  public NDArray forward(ParameterStore store, NDArray ids, boolean training) {
    return decoder.forward(store, ids, training);
  }

  /** Input embeddings (B, L, D) of the batch, placeholders replaced by image tokens. */
  NDArray embed(ParameterStore store, MultimodalBatch batch, SequenceLayout layout, NDManager manager,
      boolean training) {
    var ids = HostArrays.of(manager, layout.textIds(), new Shape(layout.batch(), layout.textColumns()));
    var text = decoder.embed(store, ids, training).reshape(-1, config.decoder().width()); // (B·(T+1), D)
    var table = text;
    if (batch.images() != null) {
      var imageTokens = encodeImages(store, batch.images(), training).reshape(-1, config.decoder().width());
      table = text.concat(imageTokens, 0); // (B·(T+1) + nImages·M, D)
    }
    return table.get(new NDIndex("{}", HostArrays.of(manager, layout.source())))
        .reshape(layout.batch(), layout.length(), config.decoder().width()); // (B, L, D)
  }

  SequenceLayout layout(MultimodalBatch batch, boolean padLeft) {
    int vocab = config.decoder().vocabSize();
    for (int b = 0; b < batch.tokens().length; b++) {
      for (int t = 0; t < batch.tokens()[b].length; t++) {
        int id = batch.tokens()[b][t];
        if (id < 0 || id >= vocab) {
          throw new IllegalArgumentException("token id " + id + " at sequence " + b + ", position " + t
              + " is outside the vocabulary; allowed: 0.." + (vocab - 1));
        }
      }
    }
    int images = batch.images() == null ? 0 : (int) batch.images().getShape().get(0);
    return SequenceLayout.of(batch, config.imageTokenId(), config.padTokenId(), config.connector().imageTokens(),
        images, padLeft);
  }

  /**
   * Positions of {@code batch} that are next-token targets: what the loss of a (micro-)batch is a
   * sum over, known before any forward pass (to normalise by the whole global batch).
   */
  public int targetCount(MultimodalBatch batch) {
    return layout(batch, false).targets();
  }

  /**
   * Forward pass with logits at every position and the mean loss through autograd. Simple and
   * exact, but it holds the (B, L, V) logits and their softmax: for training use {@link
   * #trainingLoss}. Arrays are created in {@code manager} (use a per-step sub-manager and close it
   * after the step, so memory stays flat).
   */
  public MM1Output forward(ParameterStore store, MultimodalBatch batch, NDManager manager, boolean training) {
    var layout = layout(batch, false);
    var embeddings = embed(store, batch, layout, manager, training);
    var out = decoder.runHidden(store, embeddings, training, null, layout.segments());
    var logits = decoder.logits(store, out.hidden(), training);
    NDArray lmLoss;
    if (layout.targets() == 0) {
      lmLoss = manager.zeros(new Shape());
    } else {
      var rows = targetRows(layout);
      var selected = logits.reshape(-1, config.decoder().vocabSize())
          .get(new NDIndex("{}", HostArrays.of(manager, rows[0]))); // (n, V)
      lmLoss = selected.logSoftmax(1).gather(HostArrays.of(manager, rows[1], new Shape(rows[1].length, 1)), 1)
          .mean().neg();
    }
    var loss = lmLoss;
    if (out.loadBalanceLoss() != null) {
      var moe = config.decoder().moe();
      loss = loss.add(Scalars.mul(out.loadBalanceLoss(), moe.auxLossCoefficient()))
          .add(Scalars.mul(out.zLoss(), moe.zLossCoefficient()));
    }
    return new MM1Output(logits, loss, lmLoss, out.loadBalanceLoss(), out.zLoss(), out.expertLoad(),
        out.totalDropped(), layout.targets());
  }

  /** The target positions (flattened B·L) and their labels, in position order. */
  private static long[][] targetRows(SequenceLayout layout) {
    var rows = new long[layout.targets()];
    var labels = new long[layout.targets()];
    int n = 0;
    for (int p = 0; p < layout.target().length; p++) {
      if (layout.target()[p] != SequenceLayout.IGNORE) {
        rows[n] = p;
        labels[n++] = layout.target()[p];
      }
    }
    return new long[][] {rows, labels};
  }

  /** Logit elements computed at once by the chunked loss: 4 M floats (16 MB) whatever the vocabulary. */
  static final long LOSS_CHUNK_ELEMENTS = 1L << 22;

  /**
   * The loss of one micro-batch for training, without ever holding its (n, V) logits: the output
   * projection, softmax and cross-entropy run over chunks of target rows outside autograd, each
   * chunk's gradients (towards the hidden states and the output weight) computed in closed form,
   * (softmax − one-hot)·scale, and handed back to autograd through {@code objective} = Σ h·∂h +
   * Σ W·∂W, whose gradient is exactly those. Peak memory is one chunk of logits plus a (V, D)
   * gradient, instead of two (B, L, V) arrays.
   *
   * @param lossScale factor of the cross-entropy sum: 1 / target tokens of the whole global batch,
   *     so accumulated micro-batches give the gradient of the global batch's mean
   * @param auxScale factor of the MoE auxiliary losses (1 / micro-batches per global batch)
   */
  public TrainingLoss trainingLoss(ParameterStore store, MultimodalBatch batch, NDManager manager, double lossScale,
      double auxScale) {
    return trainingLoss(store, batch, manager, lossScale, auxScale, LOSS_CHUNK_ELEMENTS);
  }

  TrainingLoss trainingLoss(ParameterStore store, MultimodalBatch batch, NDManager manager, double lossScale,
      double auxScale, long chunkElements) {
    var layout = layout(batch, false);
    var embeddings = embed(store, batch, layout, manager, true);
    var out = decoder.runHidden(store, embeddings, true, null, layout.segments());
    int vocab = config.decoder().vocabSize();
    int width = config.decoder().width();
    NDArray objective = manager.zeros(new Shape());
    double lossSum = 0;
    if (layout.targets() > 0) {
      var rows = targetRows(layout);
      var hidden = out.hidden().reshape(-1, width).get(new NDIndex("{}", HostArrays.of(manager, rows[0]))); // (n, D)
      var weight = decoder.outputWeight(store, hidden, true); // (V, D), tracked
      // In float32 whatever the pass ran in: the softmax and its gradients need its range. The
      // objective below promotes float16 activations to float32, and autograd casts back.
      var fixedWeight = float32(ownedBy(weight.stopGradient(), hidden));
      var fixedHidden = float32(hidden.stopGradient());
      var weightT = fixedWeight.transpose();
      var labels = HostArrays.of(manager, rows[1], new Shape(rows[1].length, 1));
      int n = rows[0].length;
      int chunk = (int) Math.max(1, Math.min(n, chunkElements / vocab));
      var hiddenGradients = new ai.djl.ndarray.NDList();
      NDArray weightGradient = null;
      NDArray losses = null;
      for (int start = 0; start < n; start += chunk) {
        int end = Math.min(n, start + chunk);
        try (var scope = manager.newSubManager()) {
          // Every array of the chunk lives in its scope: results land in their first operand's manager.
          var h = fixedHidden.get(start + ":" + end); // (c, D)
          h.attach(scope);
          var chunkLabels = labels.get(start + ":" + end);
          chunkLabels.attach(scope);
          var logProbabilities = h.matMul(weightT).logSoftmax(1); // (c, V)
          var nll = logProbabilities.gather(chunkLabels, 1).sum().neg();
          var gradLogits = logProbabilities.exp()
              .sub(chunkLabels.squeeze(1).oneHot(vocab)).mul((float) lossScale); // (c, V)
          var gradHidden = gradLogits.matMul(fixedWeight); // (c, D)
          var gradWeight = gradLogits.transpose().matMul(h); // (V, D)
          gradHidden.attach(manager);
          nll.attach(manager);
          hiddenGradients.add(gradHidden);
          losses = losses == null ? nll : losses.add(nll);
          if (weightGradient == null) {
            gradWeight.attach(manager);
            weightGradient = gradWeight;
          } else {
            weightGradient.addi(gradWeight);
          }
        }
      }
      lossSum = losses.getFloat();
      var gradHidden = ai.djl.ndarray.NDArrays.concat(hiddenGradients, 0);
      objective = hidden.mul(gradHidden).sum().add(weightGradient.mul(weight).sum());
    }
    float loadBalance = Float.NaN;
    float zLoss = Float.NaN;
    if (out.loadBalanceLoss() != null) {
      var moe = config.decoder().moe();
      objective = objective.add(Scalars.mul(out.loadBalanceLoss(), moe.auxLossCoefficient() * auxScale))
          .add(Scalars.mul(out.zLoss(), moe.zLossCoefficient() * auxScale));
      loadBalance = out.loadBalanceLoss().getFloat();
      zLoss = out.zLoss().getFloat();
    }
    return new TrainingLoss(objective, lossSum, layout.targets(), loadBalance, zLoss, out.expertLoad(),
        out.droppedTokens());
  }

  private static NDArray float32(NDArray a) {
    return a.getDataType() == DataType.FLOAT32 ? a : a.toType(DataType.FLOAT32, false);
  }

  /**
   * Greedy generation for one prompt (text with {@code <image>} placeholders and its images),
   * with a KV cache: stops after {@code maxNewTokens} or at {@code stopToken}. Returns the new ids.
   */
  public int[] generate(ParameterStore store, MultimodalBatch prompt, int maxNewTokens, int stopToken,
      NDManager manager) {
    if (prompt.tokens().length != 1) {
      throw new IllegalArgumentException(
          "generate takes one prompt; got " + prompt.tokens().length + " sequences");
    }
    return generate(store, prompt, maxNewTokens, new int[] {stopToken}, manager)[0];
  }

  /**
   * Greedy generation for a batch of prompts at once (rows of any lengths, each with its images),
   * with a KV cache. Prompts are left-padded to a common length; padding is a segment of its own
   * that no prompt token sees, and each prompt's positions start at 0, so every row generates what
   * it would generate alone. A row stops at any of {@code stopTokens} (included in its output) or
   * after {@code maxNewTokens}; returns each row's new ids.
   */
  public int[][] generate(ParameterStore store, MultimodalBatch prompts, int maxNewTokens, int[] stopTokens,
      NDManager manager) {
    if (maxNewTokens < 1) {
      throw new IllegalArgumentException("maxNewTokens is " + maxNewTokens + "; allowed: at least 1");
    }
    var layout = layout(prompts, true);
    int rows = layout.batch();
    var generated = new int[rows][maxNewTokens];
    var counts = new int[rows];
    var done = new boolean[rows];
    var lastSegments = new long[rows];
    for (int r = 0; r < rows; r++) {
      lastSegments[r] = layout.segments()[(r + 1) * layout.length() - 1];
    }
    try (var cache = new KvCache(manager, config.decoder().layers(), layout.length() + maxNewTokens);
        var scope = manager.newSubManager()) {
      var hidden = decoder.runHidden(store, embed(store, prompts, layout, scope, false), false, cache,
          layout.segments()).hidden();
      var next = lastTokens(store, hidden);
      int remaining = rows;
      while (true) {
        for (int r = 0; r < rows; r++) {
          if (done[r]) {
            continue;
          }
          generated[r][counts[r]++] = next[r];
          if (counts[r] == maxNewTokens || contains(stopTokens, next[r])) {
            done[r] = true;
            remaining--;
          }
        }
        if (remaining == 0) {
          break;
        }
        try (var step = scope.newSubManager()) {
          var ids = new long[rows];
          for (int r = 0; r < rows; r++) {
            ids[r] = done[r] ? config.padTokenId() : next[r];
          }
          var embeddings = decoder.embed(store, HostArrays.of(step, ids, new Shape(rows, 1)), false);
          next = lastTokens(store, decoder.runHidden(store, embeddings, false, cache, lastSegments).hidden());
        }
      }
    }
    var out = new int[rows][];
    for (int r = 0; r < rows; r++) {
      out[r] = Arrays.copyOf(generated[r], counts[r]);
    }
    return out;
  }

  /** Argmax of the logits at the last position of every row of hidden states (B, T, D). */
  private int[] lastTokens(ParameterStore store, NDArray hidden) {
    var last = hidden.get(new NDIndex(":, -1, :")); // (B, D)
    var ids = decoder.logits(store, last, false).argMax(1).toLongArray();
    var out = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = (int) ids[i];
    }
    return out;
  }

  private static boolean contains(int[] values, int value) {
    for (int v : values) {
      if (v == value) {
        return true;
      }
    }
    return false;
  }
}
