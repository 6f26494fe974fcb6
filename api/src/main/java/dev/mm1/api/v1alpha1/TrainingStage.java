package dev.mm1.api.v1alpha1;

/** The stage of the MM1 recipe a training runs. */
public enum TrainingStage {
  /** Multimodal pre-training on the caption/interleaved/text mixture. */
  Pretrain,
  /** Supervised fine-tuning on instruction conversations, starting from a checkpoint. */
  SFT
}
