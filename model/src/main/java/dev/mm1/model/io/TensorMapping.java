package dev.mm1.model.io;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Which tensor of a checkpoint fills which parameter: by default the same name; rules rename
 * parameters, and a source may be one of {@code parts} equal row blocks of a fused tensor (e.g. the
 * query third of OpenCLIP's {@code in_proj_weight}).
 */
public final class TensorMapping {
  /** Where a parameter's values come from. */
  public record Source(String tensor, int part, int parts) {
    public static Source whole(String tensor) {
      return new Source(tensor, 0, 1);
    }
  }

  private final Function<String, Source> rule;

  private TensorMapping(Function<String, Source> rule) {
    this.rule = rule;
  }

  /** Parameters read the tensor of the same name (this project's own checkpoints). */
  public static TensorMapping identity() {
    return new TensorMapping(Source::whole);
  }

  /** Parameter names prefixed, e.g. to read an encoder out of a whole-model file. */
  public static TensorMapping prefixed(String prefix) {
    return new TensorMapping(name -> Source.whole(prefix + name));
  }

  /** Explicit parameter → source table; parameters not in it are not loaded. */
  public static TensorMapping of(Map<String, Source> table) {
    var copy = new LinkedHashMap<>(table);
    return new TensorMapping(copy::get);
  }

  /** Source of {@code parameter}, or null if this mapping does not load it. */
  public Source source(String parameter) {
    return rule.apply(parameter);
  }

  /**
   * HuggingFace {@code CLIPVisionModel} names (separate q/k/v projections) → {@link
   * dev.mm1.model.VisionEncoder} parameters. {@code prefix} is usually {@code "vision_model."}.
   */
  public static TensorMapping huggingFaceClipVision(String prefix, int layers) {
    var table = new LinkedHashMap<String, Source>();
    table.put("patchEmbedding", Source.whole(prefix + "embeddings.patch_embedding.weight"));
    table.put("classToken", Source.whole(prefix + "embeddings.class_embedding"));
    table.put("positionEmbedding", Source.whole(prefix + "embeddings.position_embedding.weight"));
    weightAndBias(table, "preNorm", prefix + "pre_layrnorm");
    for (int i = 0; i < layers; i++) {
      var ours = "layers." + i + ".";
      var theirs = prefix + "encoder.layers." + i + ".";
      weightAndBias(table, ours + "norm1", theirs + "layer_norm1");
      weightAndBias(table, ours + "norm2", theirs + "layer_norm2");
      for (var pair : new String[][] {{"wq", "q_proj"}, {"wk", "k_proj"}, {"wv", "v_proj"}, {"wo", "out_proj"}}) {
        weightAndBias(table, ours + "attention." + pair[0], theirs + "self_attn." + pair[1]);
      }
      weightAndBias(table, ours + "mlp.fc1", theirs + "mlp.fc1");
      weightAndBias(table, ours + "mlp.fc2", theirs + "mlp.fc2");
    }
    weightAndBias(table, "norm", prefix + "post_layernorm");
    return of(table);
  }

  /**
   * OpenCLIP / OpenAI CLIP {@code visual.*} names (fused {@code in_proj} attention) → {@link
   * dev.mm1.model.VisionEncoder} parameters. {@code prefix} is usually {@code "visual."}.
   */
  public static TensorMapping openClipVision(String prefix, int layers) {
    var table = new LinkedHashMap<String, Source>();
    table.put("patchEmbedding", Source.whole(prefix + "conv1.weight"));
    table.put("classToken", Source.whole(prefix + "class_embedding"));
    table.put("positionEmbedding", Source.whole(prefix + "positional_embedding"));
    weightAndBias(table, "preNorm", prefix + "ln_pre");
    for (int i = 0; i < layers; i++) {
      var ours = "layers." + i + ".";
      var theirs = prefix + "transformer.resblocks." + i + ".";
      weightAndBias(table, ours + "norm1", theirs + "ln_1");
      weightAndBias(table, ours + "norm2", theirs + "ln_2");
      var projections = new String[] {"wq", "wk", "wv"};
      for (int part = 0; part < 3; part++) {
        table.put(ours + "attention." + projections[part] + ".weight",
            new Source(theirs + "attn.in_proj_weight", part, 3));
        table.put(ours + "attention." + projections[part] + ".bias", new Source(theirs + "attn.in_proj_bias", part, 3));
      }
      weightAndBias(table, ours + "attention.wo", theirs + "attn.out_proj");
      weightAndBias(table, ours + "mlp.fc1", theirs + "mlp.c_fc");
      weightAndBias(table, ours + "mlp.fc2", theirs + "mlp.c_proj");
    }
    weightAndBias(table, "norm", prefix + "ln_post");
    return of(table);
  }

  private static void weightAndBias(Map<String, Source> table, String ours, String theirs) {
    table.put(ours + ".weight", Source.whole(theirs + ".weight"));
    table.put(ours + ".bias", Source.whole(theirs + ".bias"));
  }
}
