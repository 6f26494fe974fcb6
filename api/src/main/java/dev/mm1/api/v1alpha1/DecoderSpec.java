package dev.mm1.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Min;

/** Overrides of the decoder language model; unset fields keep the preset's value. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DecoderSpec {
  /** Number of transformer layers. */
  @Min(1)
  public Integer layers;

  /** Hidden width (model dimension); divisible by heads. */
  @Min(8)
  public Integer width;

  /** Attention heads per layer. */
  @Min(1)
  public Integer heads;

  /** Key/value heads for grouped-query attention; divides heads (equal to heads: plain attention). */
  @Min(1)
  public Integer kvHeads;

  /** Inner width of the SwiGLU MLP. */
  @Min(8)
  public Integer mlpWidth;

  /** Vocabulary size of the token embedding and output head. */
  @Min(16)
  public Integer vocabSize;
}
