package dev.mm1.api.rest;

import java.util.List;

/**
 * {@code POST /api/v1/tokens} (scope admin): a new API token.
 *
 * @param name who or what uses it ("operator", "ci-gate", "run-42-trainer")
 * @param scopes any of "read", "ingest", "evals", "admin" (admin implies the others)
 * @param runId restrict the token to this run (for a trainer pod's ingest token); may be null
 * @param expiresInDays days until it expires; null for never
 */
public record CreateTokenRequest(String name, List<String> scopes, String runId, Integer expiresInDays) {}
