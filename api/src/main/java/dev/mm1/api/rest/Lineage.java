package dev.mm1.api.rest;

import java.util.List;

/**
 * {@code GET /api/v1/runs/{id}/lineage}: what a run came from and what came from it.
 *
 * @param run the run asked about
 * @param ancestors its parent, the parent's parent, ..., nearest first
 * @param descendants every run deriving from it directly or indirectly, breadth first
 */
public record Lineage(Run run, List<Run> ancestors, List<Run> descendants) {}
