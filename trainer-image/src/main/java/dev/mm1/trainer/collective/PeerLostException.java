package dev.mm1.trainer.collective;

/**
 * A data-parallel peer died, hung or could not be reached: the gang cannot go on, and every rank
 * exits with the retryable exit code 75 so the gang restarts from its last committed checkpoint.
 * The message names the rank that was lost and how it was noticed.
 */
public final class PeerLostException extends RuntimeException {
  private final int lostRank;

  public PeerLostException(int lostRank, String message) {
    super(message);
    this.lostRank = lostRank;
  }

  /** The rank that was lost. */
  public int lostRank() {
    return lostRank;
  }
}
