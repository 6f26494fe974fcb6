package dev.mm1.api.rest;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A run as {@code GET /api/v1/runs/{id}} returns it, with its latest progress.
 *
 * @param id control-plane run id
 * @param name custom resource name
 * @param namespace custom resource namespace
 * @param kind training or eval
 * @param externalId custom resource UID (or local-mode id)
 * @param parentRunId run this one derives from, or null
 * @param state lifecycle state
 * @param spec the spec it was registered with
 * @param createdAt when it was registered
 * @param updatedAt last state change or report
 * @param step last reported optimizer step, or null
 * @param loss last reported training loss, or null
 * @param latestCheckpoint newest committed checkpoint, or null
 */
public record Run(
    String id,
    String name,
    String namespace,
    RunKind kind,
    String externalId,
    String parentRunId,
    RunState state,
    JsonNode spec,
    Instant createdAt,
    Instant updatedAt,
    Long step,
    Double loss,
    CheckpointRecord latestCheckpoint) {}
