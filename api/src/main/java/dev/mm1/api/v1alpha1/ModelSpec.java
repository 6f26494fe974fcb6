package dev.mm1.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Required;

/** An MM1 network: a named preset, optionally with some of its components overridden. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ModelSpec {
  /** Named preset the model starts from (tiny, tiny-moe, small, small-moe, mm1-1b, mm1-3b, ...). */
  @Required public ModelPreset preset;

  /** Overrides of the preset's image encoder. */
  public ImageEncoderSpec imageEncoder;

  /** Overrides of the preset's vision-language connector. */
  public ConnectorSpec connector;

  /** Overrides of the preset's decoder language model. */
  public DecoderSpec decoder;

  /** Mixture-of-experts settings; present turns the decoder's MLPs into experts. */
  public MoeSpec moe;
}
