package dev.mm1.api.validation;

import dev.mm1.api.ChildNames;
import dev.mm1.api.v1alpha1.CheckpointReference;
import dev.mm1.api.v1alpha1.MM1Training;
import dev.mm1.api.v1alpha1.Precision;
import dev.mm1.api.v1alpha1.TrainingStage;
import dev.mm1.api.v1alpha1.VolumeAccessMode;
import java.util.List;

/**
 * What the CRD schema cannot say about an MM1Training: its CEL rules (checked here as well, since
 * nothing guarantees an API server ran them) and the rules that keep a spec from failing later at
 * Job creation or in the trainer. Runs on a spec that already passed the CRD schema
 * ({@link SpecSchema}), so required fields are present; each violation names its field.
 */
public final class TrainingRules {
  private TrainingRules() {}

  /** Every violation of {@code training}, in spec order; empty when it is trainable. */
  public static List<SchemaViolation> check(MM1Training training) {
    var found = new Violations();
    var spec = training.getSpec();
    if (spec == null) {
      found.add("$.spec", "is required");
      return found.list();
    }
    checkName(training, found);
    if (spec.stage == TrainingStage.SFT && spec.init == null) {
      found.add("$.spec.init", "stage SFT needs init: the checkpoint to fine-tune from");
    }
    if (spec.init != null) {
      checkReference(spec.init, "$.spec.init", found);
      if (training.getMetadata().getName().equals(spec.init.fromTraining)) {
        found.add("$.spec.init.fromTraining", "a training cannot start from its own checkpoints");
      }
    }
    var resources = spec.resources;
    int nodes = resources.nodes == null ? 1 : resources.nodes;
    int gpus = resources.gpusPerNode == null ? 0 : resources.gpusPerNode;
    int processes = processesPerNode(training);
    if (resources.processesPerNode != null && gpus > 0 && resources.processesPerNode > gpus) {
      found.add("$.spec.resources.processesPerNode", String.format(
          "%d is more than gpusPerNode (%d): each trainer process drives one GPU", resources.processesPerNode, gpus));
    }
    PodRules.checkResources(resources, "$.spec.resources", found);
    var optimization = spec.optimization;
    int micro = optimization.microBatchSize == null ? 1 : optimization.microBatchSize;
    long workers = (long) nodes * processes;
    if (optimization.globalBatchSize % (workers * micro) != 0) {
      found.add("$.spec.optimization.globalBatchSize", String.format(
          "%d is not divisible by (nodes x processesPerNode) x microBatchSize = (%d x %d) x %d = %d",
          optimization.globalBatchSize, nodes, processes, micro, workers * micro));
    }
    if (optimization.warmupSteps != null && optimization.warmupSteps > optimization.steps) {
      found.add("$.spec.optimization.warmupSteps", String.format("%d is more than steps (%d)", optimization.warmupSteps, optimization.steps));
    }
    if (optimization.precision == Precision.BF16) {
      found.add("$.spec.optimization.precision", gpus == 0
          ? "BF16 needs GPUs (resources.gpusPerNode > 0), and the trainer's engine cannot run bfloat16 at all (DJL's PyTorch engine aborts on it); use FP32 on CPU"
          : "BF16 cannot run in the trainer's engine (DJL's PyTorch engine aborts on bfloat16); use FP16 (float32 master weights, dynamic loss scaling) or FP32");
    } else if (optimization.precision == Precision.FP16 && gpus == 0) {
      found.add("$.spec.optimization.precision", "FP16 needs GPUs (resources.gpusPerNode > 0): CPU training is FP32 only (float16 runs ~200x slower there)");
    }
    checkModel(training, found);
    checkCheckpoints(training, nodes, found);
    checkExitCodes(spec.failurePolicy.nonRetryableExitCodes, found);
    PodRules.checkPod(spec.pod, checkpointMountPath(training), "$.spec.pod", found);
    return found.list();
  }

  /** NPROC_PER_NODE: the override, else one process per GPU, else 1 on CPU. */
  public static int processesPerNode(MM1Training training) {
    var resources = training.getSpec().resources;
    if (resources.processesPerNode != null) {
      return resources.processesPerNode;
    }
    return resources.gpusPerNode == null || resources.gpusPerNode == 0 ? 1 : resources.gpusPerNode;
  }

  /** Where the checkpoint volume is mounted in the workers. */
  public static String checkpointMountPath(MM1Training training) {
    var path = training.getSpec().checkpoints.mountPath;
    return path == null ? "/checkpoints" : path;
  }

  /**
   * The name makes every child name valid for every attempt: the Service name must be a DNS-1035
   * label, and the host name of the last worker of the last possible attempt must fit a DNS label.
   */
  private static void checkName(MM1Training training, Violations found) {
    var name = training.getMetadata().getName();
    if (name == null) {
      found.add("$.metadata.name", "is required");
      return;
    }
    var problem = KubernetesSyntax.dns1035Label(name);
    if (problem.isPresent()) {
      found.add("$.metadata.name", problem.get() + ": it names the workers' Service and host names");
      return;
    }
    int nodes = training.getSpec().resources.nodes == null ? 1 : training.getSpec().resources.nodes;
    var longest = ChildNames.workerHostname(name, ChildNames.MAX_ATTEMPTS, nodes - 1);
    if (longest.length() > ChildNames.MAX_LABEL) {
      found.add("$.metadata.name", String.format(
          "'%s' is too long: worker host names up to %s (attempt %d, worker %d) must fit in %d characters; use at most %d",
          name, longest, ChildNames.MAX_ATTEMPTS, nodes - 1, ChildNames.MAX_LABEL, name.length() - (longest.length() - ChildNames.MAX_LABEL)));
    }
  }

  /** The checkpoint-reference rules shared with MM1Eval: exactly one source, and a URI a pod can mount. */
  static void checkReference(CheckpointReference reference, String path, Violations found) {
    if ((reference.fromTraining == null) == (reference.uri == null)) {
      found.add(path, "set exactly one of fromTraining or uri");
      return;
    }
    if (reference.uri != null) {
      checkMountableUri(reference.uri, path + ".uri", "the pod", found);
    }
  }

  /** file: (a node-shared directory, not a system one) or pvc://claim/path; object stores are not mountable. */
  static void checkMountableUri(String uri, String path, String who, Violations found) {
    if (uri.startsWith("file:")) {
      found.add(path, KubernetesSyntax.checkpointHostPath(CheckpointUris.pathOf(uri)).map(p -> "file: URI " + p));
    } else if (uri.startsWith("pvc:")) {
      var claim = CheckpointUris.claimOf(uri);
      if (claim.isEmpty()) {
        found.add(path, "'" + uri + "' names no claim; use pvc://<claim>/<path>");
      } else {
        found.add(path, KubernetesSyntax.dns1123Subdomain(claim.get()).map(p -> "claim " + p));
        var inside = CheckpointUris.pathOf(uri);
        if (!"/".equals(inside)) {
          found.add(path, KubernetesSyntax.cleanAbsolutePath(inside).map(p -> "path in the claim " + p));
        }
      }
    } else {
      found.add(path, "'" + uri + "': " + who + " can mount file: (a node-shared path) and pvc://<claim>/<path> checkpoints; object stores are not supported");
    }
  }

  private static void checkModel(MM1Training training, Violations found) {
    var model = training.getSpec().model;
    if (model.moe != null && model.moe.experts != null && model.moe.topK != null && model.moe.topK > model.moe.experts) {
      found.add("$.spec.model.moe.topK", String.format(
          "%d is more than experts (%d): a token cannot be routed to more experts than exist", model.moe.topK, model.moe.experts));
    }
    var decoder = model.decoder;
    if (decoder != null) {
      if (decoder.width != null && decoder.heads != null && decoder.width % decoder.heads != 0) {
        found.add("$.spec.model.decoder.width", String.format("%d is not divisible by heads (%d)", decoder.width, decoder.heads));
      }
      if (decoder.heads != null && decoder.kvHeads != null && decoder.heads % decoder.kvHeads != 0) {
        found.add("$.spec.model.decoder.kvHeads", String.format("%d does not divide heads (%d)", decoder.kvHeads, decoder.heads));
      }
    }
    var encoder = model.imageEncoder;
    if (encoder != null && encoder.resolution != null && encoder.patchSize != null && encoder.resolution % encoder.patchSize != 0) {
      found.add("$.spec.model.imageEncoder.resolution", String.format(
          "%d is not a multiple of patchSize (%d)", encoder.resolution, encoder.patchSize));
    }
    var connector = model.connector;
    if (connector != null && connector.imageTokens != null) {
      int side = (int) Math.round(Math.sqrt(connector.imageTokens));
      if (side * side != connector.imageTokens) {
        found.add("$.spec.model.connector.imageTokens", connector.imageTokens
            + " is not a perfect square (the connector pools the patch grid to n x n tokens), e.g. 64 or 144");
      }
    }
  }

  private static void checkCheckpoints(MM1Training training, int nodes, Violations found) {
    var checkpoints = training.getSpec().checkpoints;
    int set = (checkpoints.claimName != null ? 1 : 0) + (checkpoints.createClaim != null ? 1 : 0) + (checkpoints.uri != null ? 1 : 0);
    if (set > 1) {
      found.add("$.spec.checkpoints", "set at most one of claimName, createClaim or uri");
    } else if (set == 0) {
      found.add("$.spec.checkpoints", "set one of claimName, createClaim or uri: gang restarts resume from checkpoints, which must outlive the pods");
    }
    if (checkpoints.uri != null) {
      checkMountableUri(checkpoints.uri, "$.spec.checkpoints.uri", "worker pods", found);
    }
    if (checkpoints.createClaim != null) {
      found.add("$.spec.checkpoints.createClaim.size", KubernetesSyntax.positiveQuantity(checkpoints.createClaim.size));
      if (nodes > 1 && checkpoints.createClaim.accessMode == VolumeAccessMode.ReadWriteOnce) {
        found.add("$.spec.checkpoints.createClaim.accessMode", "ReadWriteOnce cannot be mounted by " + nodes + " nodes; use ReadWriteMany");
      }
    }
    var mountPath = checkpointMountPath(training);
    var problem = KubernetesSyntax.containerMountPath(mountPath);
    if (problem.isPresent()) {
      found.add("$.spec.checkpoints.mountPath", problem.get());
    } else {
      PodRules.reservedDir(mountPath).ifPresent(dir -> found.add("$.spec.checkpoints.mountPath",
          "'" + mountPath + "' collides with the operator's own mount " + dir));
    }
  }

  /** Non-retryable exit codes are process exit statuses 1 to 255; 0 is success. */
  private static void checkExitCodes(List<Integer> codes, Violations found) {
    if (codes == null) {
      return;
    }
    for (int i = 0; i < codes.size(); i++) {
      var code = codes.get(i);
      if (code == null || code < 1 || code > 255) {
        found.add("$.spec.failurePolicy.nonRetryableExitCodes[" + i + "]", code + " is not a failure exit code: use 1 to 255"
            + (Integer.valueOf(0).equals(code) ? " (0 means the worker succeeded)" : ""));
      }
    }
  }
}
