package dev.mm1.operator;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Kubernetes-style conditions: one per type, {@code lastTransitionTime} moving only on a flip. */
public final class Conditions {
  private Conditions() {}

  /**
   * Sets condition {@code type} in {@code conditions}. The transition time is {@code now} when the
   * status flips (or the condition is new) and is kept otherwise.
   */
  public static void set(
      List<Condition> conditions, String type, boolean status, String reason, String message, long generation, Instant now) {
    put(conditions, type, status ? "True" : "False", reason, message, generation, now);
  }

  /** Sets an Unknown condition (the operator cannot tell, e.g. no control plane configured). */
  public static void unknown(List<Condition> conditions, String type, String reason, String message, long generation, Instant now) {
    put(conditions, type, "Unknown", reason, message, generation, now);
  }

  private static void put(
      List<Condition> conditions, String type, String status, String reason, String message, long generation, Instant now) {
    var existing = find(conditions, type);
    var transition = existing
        .filter(c -> status.equals(c.getStatus()))
        .map(Condition::getLastTransitionTime)
        .orElse(now.truncatedTo(ChronoUnit.SECONDS).toString());
    var condition = new ConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .withObservedGeneration(generation)
        .withLastTransitionTime(transition)
        .build();
    existing.ifPresentOrElse(c -> conditions.set(conditions.indexOf(c), condition), () -> conditions.add(condition));
  }

  public static Optional<Condition> find(List<Condition> conditions, String type) {
    return conditions.stream().filter(c -> Objects.equals(c.getType(), type)).findFirst();
  }

  public static boolean isTrue(List<Condition> conditions, String type) {
    return find(conditions, type).map(c -> "True".equals(c.getStatus())).orElse(false);
  }

  public static boolean hasReason(List<Condition> conditions, String type, String reason) {
    return find(conditions, type).map(c -> reason.equals(c.getReason())).orElse(false);
  }
}
