package dev.mm1.api.rest;

import java.time.Instant;
import java.util.List;

/**
 * An API token as listed by {@code GET /api/v1/tokens}; {@code secret} is set only once, in the
 * answer to its creation (only its hash is stored).
 *
 * @param id token id
 * @param name who or what uses it
 * @param scopes its scopes
 * @param runId the run it is restricted to, or null
 * @param createdAt when it was created
 * @param expiresAt when it expires, or null
 * @param revokedAt when it was revoked, or null
 * @param secret the bearer token itself, only in the creation answer
 */
public record ApiToken(
    String id, String name, List<String> scopes, String runId, Instant createdAt, Instant expiresAt,
    Instant revokedAt, String secret) {}
