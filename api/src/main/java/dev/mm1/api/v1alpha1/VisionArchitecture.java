package dev.mm1.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** ViT shapes the image encoder can take. */
public enum VisionArchitecture {
  /** A toy ViT for CPU tests (width 128). */
  @JsonProperty("ViT-Tiny") VIT_TINY,
  /** ViT-B/16: width 768, 12 layers. */
  @JsonProperty("ViT-B/16") VIT_B_16,
  /** ViT-L/14: width 1024, 24 layers. */
  @JsonProperty("ViT-L/14") VIT_L_14,
  /** ViT-H/14: width 1280, 32 layers. */
  @JsonProperty("ViT-H/14") VIT_H_14;
}
