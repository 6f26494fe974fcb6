package dev.mm1.controlplane.auth;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What an API token may do. {@link #ADMIN} implies every other scope. */
public enum Scope {
  /** Read runs, metrics, checkpoints, results; see the UI. */
  READ,
  /** Register runs and report state, metrics, checkpoints and results. */
  INGEST,
  /** Start evaluations ({@code POST /api/v1/evals}). */
  EVALS,
  /** Manage tokens; implies every scope. */
  ADMIN;

  /** The name used in requests and in the database. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a wire name, naming the allowed ones when it is none of them. */
  public static Scope parse(String field, String value) {
    for (Scope scope : values()) {
      if (scope.wireName().equals(value)) {
        return scope;
      }
    }
    throw dev.mm1.controlplane.problem.ApiException.badRequest(field + ": '" + value + "' is not a scope; allowed: "
        + Arrays.stream(values()).map(Scope::wireName).collect(Collectors.joining(", ")));
  }
}
