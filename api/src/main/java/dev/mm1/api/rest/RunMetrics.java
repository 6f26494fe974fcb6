package dev.mm1.api.rest;

import java.util.List;

/**
 * {@code GET /api/v1/metrics?run=…&name=…}: the asked series of one of several runs (a comparison
 * of runs fetches them in one request).
 *
 * @param runId the run
 * @param series one entry per asked name, in the asked order (empty when the run has no such series)
 */
public record RunMetrics(String runId, List<MetricSeries> series) {}
