package dev.mm1.api.rest;

/** What a run is. */
public enum RunKind {
  /** An MM1Training: pre-training or SFT. */
  Training,
  /** An MM1Eval of one checkpoint. */
  Eval
}
