package dev.mm1.controlplane.runs;

import dev.mm1.api.rest.RunKind;
import dev.mm1.api.rest.RunState;

/**
 * Filters of the runs list; null means any. {@code search} matches a substring of the name,
 * namespace or external id (a literal: % and _ match themselves).
 */
public record RunFilter(RunState state, RunKind kind, String namespace, String search, Long parentRunId, int limit, int offset) {}
