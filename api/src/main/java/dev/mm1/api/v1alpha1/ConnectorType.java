package dev.mm1.api.v1alpha1;

/** The vision-language connectors compared in the MM1 paper. */
public enum ConnectorType {
  /** n x n average pooling of the patch grid, then a linear projection. */
  AveragePool,
  /** Learned queries cross-attending to the patches. */
  AttentionPool,
  /** HoneyBee's convolutional C-Abstractor (ResNet stages around adaptive pooling). */
  CAbstractor
}
