package dev.mm1.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/** Overrides of the image encoder (a CLIP-style ViT); unset fields keep the preset's value. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ImageEncoderSpec {
  /** ViT architecture of the encoder. */
  public VisionArchitecture architecture;

  /** Input image side in pixels (images are square); a multiple of patchSize. */
  @Min(16)
  @Max(4096)
  public Integer resolution;

  /** Side of one square patch in pixels. */
  @Min(1)
  @Max(64)
  public Integer patchSize;

  /** URI of pretrained encoder weights (safetensors, OpenCLIP/HuggingFace CLIP vision names). */
  @Pattern("^(file|s3|gs|https?|pvc):.+")
  public String pretrainedWeights;

  /** Keeps the encoder's weights fixed: no gradients and no optimizer state. */
  public Boolean freeze;
}
