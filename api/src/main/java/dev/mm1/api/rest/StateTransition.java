package dev.mm1.api.rest;

/**
 * {@code POST /api/v1/runs/{id}/state}: a state change, recorded in the run's audit trail.
 *
 * @param state the new state
 * @param reason a CamelCase reason such as GangRestarted or NonRetryableExit
 * @param message what happened, for people
 */
public record StateTransition(RunState state, String reason, String message) {}
