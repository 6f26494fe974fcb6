package dev.mm1.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TtlPolicyTest {
  static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

  @Test
  void withoutTtlOrBeforeTheEndChildrenStay() {
    assertThat(TtlPolicy.decide(null, Optional.of("2026-01-01T11:00:00Z"), NOW)).isEqualTo(new TtlPolicy.Decision.Keep());
    assertThat(TtlPolicy.decide(60, Optional.empty(), NOW)).isEqualTo(new TtlPolicy.Decision.Keep());
  }

  @Test
  void untilTheTtlPassesTheOperatorWaits() {
    assertThat(TtlPolicy.decide(600, Optional.of("2026-01-01T11:55:00Z"), NOW)).isEqualTo(new TtlPolicy.Decision.Wait(Duration.ofMinutes(5)));
  }

  @Test
  void afterTheTtlChildrenExpire() {
    assertThat(TtlPolicy.decide(0, Optional.of("2026-01-01T12:00:00Z"), NOW)).isEqualTo(new TtlPolicy.Decision.Expire());
  }
}
