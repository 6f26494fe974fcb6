package dev.mm1.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The named model configurations; the {@code model} module owns their shapes. */
public enum ModelPreset {
  /** A few million parameters: fast CPU tests. */
  @JsonProperty("tiny") TINY,
  /** {@code tiny} with mixture-of-experts layers. */
  @JsonProperty("tiny-moe") TINY_MOE,
  /** About 50-150M parameters: the CPU benchmark size. */
  @JsonProperty("small") SMALL,
  /** {@code small} with mixture-of-experts layers. */
  @JsonProperty("small-moe") SMALL_MOE,
  /** 1.2B decoder with ViT-L/14 at 336 px: the paper's ablation base. */
  @JsonProperty("mm1-1b") MM1_1B,
  /** 2.9B decoder with ViT-H/14 at 378 px and a 144-token C-Abstractor. */
  @JsonProperty("mm1-3b") MM1_3B,
  /** 6.4B decoder with ViT-H/14 at 378 px and a 144-token C-Abstractor. */
  @JsonProperty("mm1-7b") MM1_7B,
  /** 30B decoder with ViT-H/14 at 378 px and a 144-token C-Abstractor. */
  @JsonProperty("mm1-30b") MM1_30B,
  /** mm1-3b with 64 experts in every 2nd decoder layer (about 64B parameters in total). */
  @JsonProperty("mm1-3b-moe") MM1_3B_MOE,
  /** mm1-7b with 32 experts in every 4th decoder layer (about 47B parameters in total). */
  @JsonProperty("mm1-7b-moe") MM1_7B_MOE;
}
