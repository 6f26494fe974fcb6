package dev.mm1.trainer.collective;

/**
 * The ranks could not form a gang: rank 0 was unreachable or the workers disagree about what they
 * run. The message names the rank and the difference. {@link #retryable()} says whether a gang
 * restart can fix it (an unreachable master, another attempt's worker) or not (another config,
 * another world size, two workers claiming one rank).
 */
public final class RendezvousException extends RuntimeException {
  private final boolean retryable;

  public RendezvousException(String message, boolean retryable) {
    super(message);
    this.retryable = retryable;
  }

  public boolean retryable() {
    return retryable;
  }
}
