package dev.mm1.api.v1alpha1;

/** PersistentVolumeClaim access modes usable for checkpoints. */
public enum VolumeAccessMode {
  /** Mounted read-write by many nodes: needed for multi-node training. */
  ReadWriteMany,
  /** Mounted read-write by one node: enough for single-node training. */
  ReadWriteOnce
}
