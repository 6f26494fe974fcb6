package dev.mm1.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionsTest {
  @Test
  void theTransitionTimeMovesOnlyWhenTheStatusFlips() {
    List<Condition> conditions = new ArrayList<>();
    Conditions.set(conditions, "Ready", false, "Creating", "a", 1, Instant.parse("2026-01-01T00:00:00Z"));
    Conditions.set(conditions, "Ready", false, "WorkersStarting", "b", 1, Instant.parse("2026-01-01T00:01:00Z"));
    assertThat(conditions).singleElement().satisfies(c -> {
      assertThat(c.getLastTransitionTime()).isEqualTo("2026-01-01T00:00:00Z");
      assertThat(c.getReason()).isEqualTo("WorkersStarting");
    });
    Conditions.set(conditions, "Ready", true, "Running", "c", 2, Instant.parse("2026-01-01T00:02:00Z"));
    assertThat(conditions).singleElement().satisfies(c -> {
      assertThat(c.getLastTransitionTime()).isEqualTo("2026-01-01T00:02:00Z");
      assertThat(c.getObservedGeneration()).isEqualTo(2L);
    });
  }
}
