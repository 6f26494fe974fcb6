package dev.mm1.trainer.collective;

import dev.mm1.api.v1alpha1.DataParallelSpec;
import java.time.Duration;

/**
 * Timeouts and bucket size of the ring collective.
 *
 * @param peerTimeout a peer that sends no heartbeat for this long is lost
 * @param collectiveTimeout one operation that moves no byte for this long fails (a peer alive but stuck)
 * @param rendezvousTimeout how long the ranks wait for each other at start
 * @param bucketBytes gradients are reduced in buckets of at most this many bytes
 */
public record CollectiveSettings(Duration peerTimeout, Duration collectiveTimeout, Duration rendezvousTimeout,
    int bucketBytes) {
  public CollectiveSettings {
    if (peerTimeout.isNegative() || peerTimeout.isZero() || collectiveTimeout.isNegative() || collectiveTimeout.isZero()
        || rendezvousTimeout.isNegative() || rendezvousTimeout.isZero()) {
      throw new IllegalArgumentException("collective timeouts must be positive");
    }
    if (bucketBytes < 4) {
      throw new IllegalArgumentException("the gradient bucket must hold at least one float, got " + bucketBytes + " bytes");
    }
  }

  /** The settings of a training spec's {@code dataParallel} section (defaults where it is absent). */
  public static CollectiveSettings of(DataParallelSpec spec) {
    var s = spec == null ? new DataParallelSpec() : spec;
    var defaults = new DataParallelSpec();
    return new CollectiveSettings(
        Duration.ofSeconds(or(s.peerTimeoutSeconds, defaults.peerTimeoutSeconds)),
        Duration.ofSeconds(or(s.collectiveTimeoutSeconds, defaults.collectiveTimeoutSeconds)),
        Duration.ofSeconds(or(s.rendezvousTimeoutSeconds, defaults.rendezvousTimeoutSeconds)),
        Math.multiplyExact(or(s.bucketMegabytes, defaults.bucketMegabytes), 1 << 20));
  }

  /** How often a rank tells the others it is alive: often enough that a few lost beats are not a loss. */
  public Duration heartbeatInterval() {
    return Duration.ofMillis(Math.max(50, Math.min(1000, peerTimeout.toMillis() / 5)));
  }

  private static int or(Integer value, Integer fallback) {
    return value != null ? value : fallback;
  }
}
