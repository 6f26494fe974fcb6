package dev.mm1.operator.validation;

import dev.mm1.api.v1alpha1.CheckpointReference;
import dev.mm1.api.v1alpha1.MM1Training;
import dev.mm1.api.v1alpha1.Precision;
import dev.mm1.api.v1alpha1.TrainingStage;
import dev.mm1.api.v1alpha1.VolumeAccessMode;
import dev.mm1.operator.ChildNames;
import java.util.HashSet;

/**
 * What the CRD schema cannot say about an MM1Training: its CEL rules (checked here as well, since
 * nothing guarantees the API server ran them) and the cross-field rules of a trainable spec. Runs on
 * a spec that already passed the CRD schema ({@link dev.mm1.api.validation.SpecSchema}), so required fields are present.
 */
public final class TrainingRules {
  /** Longest pod hostname (a DNS label); pods are named {@code <job>-<index>}. */
  static final int MAX_HOSTNAME = 63;

  private TrainingRules() {}

  public static void check(MM1Training training) throws InvalidSpecException {
    var spec = training.getSpec();
    if (spec == null) {
      throw new InvalidSpecException("$.spec", "is required");
    }
    if (spec.stage == TrainingStage.SFT && spec.init == null) {
      throw new InvalidSpecException("$.spec.init", "stage SFT needs init: the checkpoint to fine-tune from");
    }
    if (spec.init != null) {
      checkReference(spec.init, "$.spec.init");
      if (training.getMetadata().getName().equals(spec.init.fromTraining)) {
        throw new InvalidSpecException("$.spec.init.fromTraining", "a training cannot start from its own checkpoints");
      }
    }
    var resources = spec.resources;
    int nodes = resources.nodes == null ? 1 : resources.nodes;
    int gpus = resources.gpusPerNode == null ? 0 : resources.gpusPerNode;
    var optimization = spec.optimization;
    int micro = optimization.microBatchSize == null ? 1 : optimization.microBatchSize;
    int workers = nodes * Math.max(gpus, 1);
    if (optimization.globalBatchSize % (workers * micro) != 0) {
      throw new InvalidSpecException("$.spec.optimization.globalBatchSize", String.format(
          "%d is not divisible by nodes x max(gpusPerNode, 1) x microBatchSize = %d x %d x %d = %d",
          optimization.globalBatchSize, nodes, Math.max(gpus, 1), micro, workers * micro));
    }
    if (optimization.warmupSteps != null && optimization.warmupSteps > optimization.steps) {
      throw new InvalidSpecException("$.spec.optimization.warmupSteps", String.format(
          "%d is more than steps (%d)", optimization.warmupSteps, optimization.steps));
    }
    if (optimization.precision == Precision.BF16 && gpus == 0) {
      throw new InvalidSpecException("$.spec.optimization.precision", "BF16 needs GPUs (resources.gpusPerNode > 0); use FP32 on CPU");
    }
    checkModel(training);
    checkData(training);
    checkCheckpoints(training, nodes);
    int lastAttempt = spec.failurePolicy.maxRestarts == null ? 1 : spec.failurePolicy.maxRestarts + 1;
    var longestHost = ChildNames.job(training.getMetadata().getName(), lastAttempt) + "-" + (nodes - 1);
    if (longestHost.length() > MAX_HOSTNAME) {
      throw new InvalidSpecException("$.metadata.name", String.format(
          "'%s' is too long: worker hostnames such as %s must fit in %d characters", training.getMetadata().getName(),
          longestHost, MAX_HOSTNAME));
    }
  }

  /** The checkpoint-reference rules shared with MM1Eval: exactly one source. */
  static void checkReference(CheckpointReference reference, String path) throws InvalidSpecException {
    if ((reference.fromTraining == null) == (reference.uri == null)) {
      throw new InvalidSpecException(path, "set exactly one of fromTraining or uri");
    }
  }

  private static void checkModel(MM1Training training) throws InvalidSpecException {
    var model = training.getSpec().model;
    if (model.moe != null && model.moe.experts != null && model.moe.topK != null && model.moe.topK > model.moe.experts) {
      throw new InvalidSpecException("$.spec.model.moe.topK", String.format(
          "%d is more than experts (%d): a token cannot be routed to more experts than exist", model.moe.topK, model.moe.experts));
    }
    var decoder = model.decoder;
    if (decoder != null) {
      if (decoder.width != null && decoder.heads != null && decoder.width % decoder.heads != 0) {
        throw new InvalidSpecException("$.spec.model.decoder.width", String.format(
            "%d is not divisible by heads (%d)", decoder.width, decoder.heads));
      }
      if (decoder.heads != null && decoder.kvHeads != null && decoder.heads % decoder.kvHeads != 0) {
        throw new InvalidSpecException("$.spec.model.decoder.kvHeads", String.format(
            "%d does not divide heads (%d)", decoder.kvHeads, decoder.heads));
      }
    }
    var encoder = model.imageEncoder;
    if (encoder != null && encoder.resolution != null && encoder.patchSize != null && encoder.resolution % encoder.patchSize != 0) {
      throw new InvalidSpecException("$.spec.model.imageEncoder.resolution", String.format(
          "%d is not a multiple of patchSize (%d)", encoder.resolution, encoder.patchSize));
    }
    var connector = model.connector;
    if (connector != null && connector.imageTokens != null) {
      int side = (int) Math.round(Math.sqrt(connector.imageTokens));
      if (side * side != connector.imageTokens) {
        throw new InvalidSpecException("$.spec.model.connector.imageTokens", connector.imageTokens
            + " is not a perfect square (the connector pools the patch grid to n x n tokens), e.g. 64 or 144");
      }
    }
  }

  private static void checkData(MM1Training training) throws InvalidSpecException {
    var sources = training.getSpec().data.sources;
    var names = new HashSet<String>();
    for (int i = 0; i < sources.size(); i++) {
      if (!names.add(sources.get(i).name)) {
        throw new InvalidSpecException("$.spec.data.sources[" + i + "].name", "'" + sources.get(i).name + "' is used by an earlier source; names must be unique");
      }
    }
  }

  private static void checkCheckpoints(MM1Training training, int nodes) throws InvalidSpecException {
    var checkpoints = training.getSpec().checkpoints;
    int set = (checkpoints.claimName != null ? 1 : 0) + (checkpoints.createClaim != null ? 1 : 0) + (checkpoints.uri != null ? 1 : 0);
    if (set > 1) {
      throw new InvalidSpecException("$.spec.checkpoints", "set at most one of claimName, createClaim or uri");
    }
    if (set == 0) {
      throw new InvalidSpecException("$.spec.checkpoints", "set one of claimName, createClaim or uri: gang restarts resume from checkpoints, which must outlive the pods");
    }
    if (checkpoints.uri != null && !(checkpoints.uri.startsWith("file:") || checkpoints.uri.startsWith("pvc:"))) {
      throw new InvalidSpecException("$.spec.checkpoints.uri", "'" + checkpoints.uri
          + "': worker pods can mount file: (a node-shared path) and pvc://<claim>/<path> checkpoints; object stores are not supported");
    }
    if (checkpoints.uri != null && checkpoints.uri.startsWith("pvc:") && CheckpointUris.claimOf(checkpoints.uri).isEmpty()) {
      throw new InvalidSpecException("$.spec.checkpoints.uri", "'" + checkpoints.uri + "' names no claim; use pvc://<claim>/<path>");
    }
    if (checkpoints.createClaim != null && nodes > 1 && checkpoints.createClaim.accessMode == VolumeAccessMode.ReadWriteOnce) {
      throw new InvalidSpecException("$.spec.checkpoints.createClaim.accessMode",
          "ReadWriteOnce cannot be mounted by " + nodes + " nodes; use ReadWriteMany");
    }
  }
}
