package dev.mm1.api.rest;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code POST /api/v1/runs}. Idempotent on {@code externalId}: registering the same custom
 * resource twice (an operator restart) returns the run created the first time.
 *
 * @param name the custom resource's name
 * @param namespace the custom resource's namespace ("local" in local mode)
 * @param kind training or eval
 * @param externalId a stable id of the thing that runs, e.g. the custom resource's UID
 * @param parentRunId the run this one derives from (SFT from a pre-training, eval from a training); may be null
 * @param spec the custom resource's spec as JSON
 */
public record CreateRunRequest(
    String name, String namespace, RunKind kind, String externalId, String parentRunId, JsonNode spec) {}
