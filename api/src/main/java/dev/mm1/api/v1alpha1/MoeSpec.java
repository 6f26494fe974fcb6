package dev.mm1.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Min;

/** Mixture-of-experts decoder layers: E SwiGLU experts behind a softmax top-k router. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MoeSpec {
  /** Experts per MoE layer. */
  @Min(2)
  public Integer experts;

  /** Experts each token is routed to; at most experts. */
  @Min(1)
  public Integer topK = 2;

  /** Every n-th decoder layer is an MoE layer (1 = all layers, 2 = every second). */
  @Min(1)
  public Integer everyNLayers = 2;

  /** Inner width of each expert's SwiGLU MLP; unset means the decoder's mlpWidth. */
  @Min(8)
  public Integer expertMlpWidth;

  /** Weight of the auxiliary load-balancing loss. */
  @Min(0)
  public Double auxLossCoefficient = 0.01;

  /** Weight of the router z-loss. */
  @Min(0)
  public Double zLossCoefficient = 0.001;

  /** Expert capacity as a multiple of the even share of tokens; unset means no token is dropped. */
  @Min(value = 0, inclusive = false)
  public Double capacityFactor;
}
