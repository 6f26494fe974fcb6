package dev.mm1.api.rest;

import java.util.List;

/**
 * {@code POST /api/v1/runs/{id}/metrics}: many points in one request; a retried batch never
 * duplicates a point.
 *
 * @param points the points, in any order
 */
public record MetricBatch(List<MetricPoint> points) {}
