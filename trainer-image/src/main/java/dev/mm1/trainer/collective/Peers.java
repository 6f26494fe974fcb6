package dev.mm1.trainer.collective;

/** What the ring knows about the other ranks beyond its two links: who was lost, and why. */
interface Peers {
  /** Throws the loss the gang monitor has seen, if any. */
  void check();

  /**
   * The loss of {@code rank}, noticed by this rank as {@code how} (a closed link, a stall), with
   * what the monitor knows of why (the rank reported a failure before it went). Recorded as the
   * gang's loss if it is the first.
   */
  PeerLostException lost(int rank, String how);
}
