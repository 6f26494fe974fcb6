package dev.mm1.api.rest;

/**
 * Answer to {@code POST /api/v1/runs/{id}/metrics}.
 *
 * @param points points stored (a point repeated in the batch counts once; the last one wins)
 * @param series distinct series in the batch
 * @param maxStep highest step in the batch
 */
public record IngestResult(int points, int series, long maxStep) {}
