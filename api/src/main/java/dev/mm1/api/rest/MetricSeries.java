package dev.mm1.api.rest;

import java.util.List;

/**
 * {@code GET /api/v1/runs/{id}/metrics}: one series over the requested step range, at most
 * {@code maxPoints} points. When downsampled, each step bucket keeps its minimum and its maximum
 * (with their true steps and times), so spikes and the global extremes always survive.
 *
 * @param name series name
 * @param steps steps, ascending
 * @param values the value at each step
 * @param times when the value at each step was recorded, in milliseconds since 1970-01-01 UTC
 * @param downsampled whether points were dropped to fit maxPoints
 */
public record MetricSeries(String name, List<Long> steps, List<Double> values, List<Long> times, boolean downsampled) {}
