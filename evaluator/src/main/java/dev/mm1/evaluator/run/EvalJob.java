package dev.mm1.evaluator.run;

import dev.mm1.api.v1alpha1.BenchmarkSpec;
import dev.mm1.api.v1alpha1.GateSpec;
import dev.mm1.api.v1alpha1.ModelSpec;
import dev.mm1.trainer.config.TrainingJob;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * What one evaluator process runs, from the rendered MM1Eval config (in a pod) or an eval spec file
 * and flags (on one machine).
 *
 * @param name the eval's name, for messages and file names
 * @param benchmarks the benchmarks, each run at each of its shot counts
 * @param gate the gate, or null
 * @param model the model of the checkpoint, or null to take the one recorded in its trainer state
 * @param checkpoint the checkpoint directory
 * @param checkpointSha256 the sha256 its MANIFEST.json must have, or null to accept any valid one
 * @param dataDirectory maps a benchmark's {@code uri} to a local directory (errors name the field)
 * @param out where predictions, report.json and the report spool go
 * @param reporting where to report the results, or null
 * @param batch queries generated together
 */
public record EvalJob(String name, List<BenchmarkSpec> benchmarks, GateSpec gate, ModelSpec model, Path checkpoint,
    String checkpointSha256, Function<String, Path> dataDirectory, Path out, TrainingJob.Reporting reporting,
    int batch) {}
