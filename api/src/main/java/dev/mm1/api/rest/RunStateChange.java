package dev.mm1.api.rest;

import java.time.Instant;

/**
 * One entry of a run's audit trail ({@code GET /api/v1/runs/{id}/transitions}).
 *
 * @param from the state before (null for the registration)
 * @param to the state after
 * @param reason CamelCase reason
 * @param message what happened
 * @param actor name of the token that made the change
 * @param at when
 * @param attempt the attempt the run is in after the change, as reported, or null when the
 *     reporter did not say
 */
public record RunStateChange(RunState from, RunState to, String reason, String message, String actor, Instant at,
    Integer attempt) {}
