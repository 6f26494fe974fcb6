package dev.mm1.api.rest;

/**
 * {@code POST /api/v1/runs/{id}/state}: a state change, recorded in the run's audit trail.
 *
 * @param state the new state
 * @param reason a CamelCase reason such as GangRestarted or NonRetryableExit
 * @param message what happened, for people
 * @param attempt the attempt (1, 2, ...) the run is in after this change, or null when the reporter
 *     does not know; a gang restart or a resume after suspension starts the next attempt
 */
public record StateTransition(RunState state, String reason, String message, Integer attempt) {
  /** A state change that does not say which attempt it belongs to. */
  public StateTransition(RunState state, String reason, String message) {
    this(state, reason, message, null);
  }
}
