package dev.mm1.api.rest;

import java.time.Instant;

/**
 * {@code POST /api/v1/runs/{id}/checkpoints} and its listings: a committed checkpoint.
 *
 * @param step optimizer step it was taken after
 * @param uri URI of its step-NNNNNNNNN directory
 * @param sha256 sha256 of its MANIFEST.json
 * @param bytes total size of its files
 * @param committedAt when it was committed; the server's clock when null
 */
public record CheckpointRecord(long step, String uri, String sha256, long bytes, Instant committedAt) {}
