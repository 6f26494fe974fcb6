package dev.mm1.api.v1alpha1;

/** Sample layouts a data source can hold. */
public enum DataSourceKind {
  /** Image-caption pairs: KEY.jpg|png + KEY.txt. */
  Caption,
  /** Interleaved image-text documents: KEY.json + KEY.N.png. */
  Interleaved,
  /** Text-only documents: KEY.txt. */
  Text,
  /** Instruction conversations about images for supervised fine-tuning. */
  SFT
}
