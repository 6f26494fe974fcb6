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

  SequenceLayout layout(MultimodalBatch batch) {
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
        images);
  }

  /**
   * Forward pass with losses. Arrays are created in {@code manager} (use a per-step sub-manager
   * and close it after the step, so memory stays flat).
   */
  public MM1Output forward(ParameterStore store, MultimodalBatch batch, NDManager manager, boolean training) {
    var layout = layout(batch);
    var embeddings = embed(store, batch, layout, manager, training);
    var out = decoder.run(store, embeddings, training, null);
    var logits = out.logits();
    NDArray lmLoss;
    if (layout.targets() == 0) {
      lmLoss = manager.zeros(new Shape());
    } else {
      var rows = new long[layout.targets()];
      var labels = new long[layout.targets()];
      int n = 0;
      for (int p = 0; p < layout.target().length; p++) {
        if (layout.target()[p] != SequenceLayout.IGNORE) {
          rows[n] = p;
          labels[n++] = layout.target()[p];
        }
      }
      var selected = logits.reshape(-1, config.decoder().vocabSize())
          .get(new NDIndex("{}", HostArrays.of(manager, rows))); // (n, V)
      lmLoss = selected.logSoftmax(1).gather(HostArrays.of(manager, labels, new Shape(n, 1)), 1).mean().neg();
    }
    var loss = lmLoss;
    if (out.loadBalanceLoss() != null) {
      var moe = config.decoder().moe();
      loss = loss.add(out.loadBalanceLoss().mul((float) moe.auxLossCoefficient()))
          .add(out.zLoss().mul((float) moe.zLossCoefficient()));
    }
    return new MM1Output(logits, loss, lmLoss, out.loadBalanceLoss(), out.zLoss(), out.expertLoad(),
        out.droppedTokens(), layout.targets());
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
    var layout = layout(prompt);
    var generated = new int[maxNewTokens];
    int count = 0;
    try (var cache = new KvCache(manager, config.decoder().layers())) {
      var logits = decoder.run(store, embed(store, prompt, layout, manager, false), false, cache).logits();
      while (count < maxNewTokens) {
        int next = (int) logits.get(new NDIndex("0, -1")).argMax().getLong();
        generated[count++] = next;
        if (next == stopToken || count == maxNewTokens) {
          break;
        }
        try (var step = manager.newSubManager()) {
          var ids = HostArrays.of(step, new long[] {next}, new Shape(1, 1));
          var nextLogits = decoder.run(store, decoder.embed(store, ids, false), false, cache).logits();
          logits = nextLogits.get(new NDIndex(":, -1:")).duplicate();
          logits.attach(manager);
        }
      }
    }
    return Arrays.copyOf(generated, count);
  }
}
