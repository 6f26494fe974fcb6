package dev.mm1.api.rest;

/** Lifecycle of a run as the control plane records it. */
public enum RunState {
  Pending,
  Running,
  Restarting,
  Suspended,
  Succeeded,
  Failed,
  Cancelled;

  /** Whether no further transition is expected. */
  public boolean isFinal() {
    return this == Succeeded || this == Failed || this == Cancelled;
  }
}
