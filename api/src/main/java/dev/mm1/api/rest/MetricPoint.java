package dev.mm1.api.rest;

import java.time.Instant;

/**
 * One value of one named series at one step ("loss", "lr", "grad_norm", "tokens_per_s",
 * "moe/layer3/expert_load/7", ...). Ingestion is idempotent on (run, name, step).
 *
 * @param name series name
 * @param step optimizer step
 * @param value the value
 * @param time when it was measured; the server's clock when null
 */
public record MetricPoint(String name, long step, double value, Instant time) {}
