package dev.mm1.api.rest;

/**
 * A server-sent event ({@code GET /api/v1/events}, {@code GET /api/v1/runs/{id}/events}) telling
 * a live page what changed; the page then fetches what it shows.
 *
 * @param runId the run that changed
 * @param type "created", "state", "metrics", "checkpoint" or "results"
 * @param step highest step of new metrics or the checkpoint's step, or null
 * @param state the run's state after a "state" event, or null
 */
public record RunEvent(String runId, String type, Long step, RunState state) {}
