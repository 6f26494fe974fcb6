package dev.mm1.api.rest;

/**
 * One score of an eval run: {@code POST /api/v1/runs/{id}/results} (a list) and its listings.
 *
 * @param benchmark benchmark name from the MM1Eval spec
 * @param dataset dataset name
 * @param shots few-shot examples per prompt
 * @param metric "cider-d" or "vqa-accuracy"
 * @param value on the 0-100 scale
 * @param samples samples scored
 * @param checkpointStep step of the evaluated checkpoint
 */
public record EvalResultRecord(
    String benchmark, String dataset, int shots, String metric, double value, int samples, Long checkpointStep) {}
