package dev.mm1.operator;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** When a finished resource's children go: {@code ttlSecondsAfterFinished} after its completion time. */
public final class TtlPolicy {
  private TtlPolicy() {}

  /** What to do with a finished resource's children now. */
  public sealed interface Decision {
    /** No TTL, or not finished: keep them. */
    record Keep() implements Decision {}

    /** Keep them; look again after {@code remaining}. */
    record Wait(Duration remaining) implements Decision {}

    /** Delete them now. */
    record Expire() implements Decision {}
  }

  public static Decision decide(Integer ttlSeconds, Optional<String> completionTime, Instant now) {
    if (ttlSeconds == null || completionTime.isEmpty()) {
      return new Decision.Keep();
    }
    var expiresAt = Instant.parse(completionTime.get()).plusSeconds(ttlSeconds);
    return now.isBefore(expiresAt) ? new Decision.Wait(Duration.between(now, expiresAt)) : new Decision.Expire();
  }
}
