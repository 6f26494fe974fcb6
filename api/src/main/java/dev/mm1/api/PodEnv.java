package dev.mm1.api;

import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The environment a trainer or evaluator process receives, from the operator on a cluster or from
 * the local launcher. This class owns the variable names; nothing else spells them.
 *
 * <p>The process model is torchrun's. The operator sets the pod variables: {@code NODE_RANK} (the
 * pod's Job completion index), {@code NNODES}, {@code NPROC_PER_NODE}, {@code MASTER_ADDR},
 * {@code MASTER_PORT}. The pod's launcher starts {@code NPROC_PER_NODE} worker processes and gives
 * each {@code RANK}, {@code LOCAL_RANK}, {@code WORLD_SIZE} and {@code LOCAL_WORLD_SIZE}
 * ({@link #forProcess(int)}). A process that gets only the pod variables (one process per pod, no
 * launcher) is local rank 0: {@code RANK = NODE_RANK x NPROC_PER_NODE}, {@code WORLD_SIZE = NNODES x
 * NPROC_PER_NODE}.
 *
 * @param config path of the rendered trainer/evaluator configuration JSON
 * @param nodeRank this pod's index in the gang, 0 to nodes - 1
 * @param nodes pods in the gang
 * @param processesPerNode worker processes per pod
 * @param localRank this process's index in its pod, 0 to processesPerNode - 1
 * @param masterAddr host of node rank 0, where the workers rendezvous
 * @param masterPort rendezvous port on node rank 0
 * @param runId control-plane run id the process reports to (the run's id, or the custom resource's UID)
 * @param controlPlaneUrl base URL of the control plane; empty when running without one
 * @param controlPlaneToken bearer token for the control plane; empty when running without one
 * @param checkpointDir directory holding this run's step-NNNNNNNNN checkpoints
 * @param attempt gang attempt, 1 for the first start, +1 for each gang restart
 */
public record PodEnv(
    Path config,
    int nodeRank,
    int nodes,
    int processesPerNode,
    int localRank,
    String masterAddr,
    int masterPort,
    String runId,
    Optional<URI> controlPlaneUrl,
    Optional<String> controlPlaneToken,
    Path checkpointDir,
    int attempt) {

  public static final String MM1_CONFIG = "MM1_CONFIG";
  public static final String NODE_RANK = "NODE_RANK";
  public static final String NNODES = "NNODES";
  public static final String NPROC_PER_NODE = "NPROC_PER_NODE";
  public static final String RANK = "RANK";
  public static final String LOCAL_RANK = "LOCAL_RANK";
  public static final String WORLD_SIZE = "WORLD_SIZE";
  public static final String LOCAL_WORLD_SIZE = "LOCAL_WORLD_SIZE";
  public static final String MASTER_ADDR = "MASTER_ADDR";
  public static final String MASTER_PORT = "MASTER_PORT";
  public static final String MM1_RUN_ID = "MM1_RUN_ID";
  public static final String MM1_CONTROL_PLANE_URL = "MM1_CONTROL_PLANE_URL";
  public static final String MM1_CONTROL_PLANE_TOKEN = "MM1_CONTROL_PLANE_TOKEN";
  public static final String MM1_CHECKPOINT_DIR = "MM1_CHECKPOINT_DIR";
  public static final String MM1_ATTEMPT = "MM1_ATTEMPT";

  /** Every name of the contract: a pod's own extra env may not set these. */
  public static final List<String> ALL_NAMES = List.of(MM1_CONFIG, NODE_RANK, NNODES, NPROC_PER_NODE, RANK, LOCAL_RANK,
      WORLD_SIZE, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT, MM1_RUN_ID, MM1_CONTROL_PLANE_URL, MM1_CONTROL_PLANE_TOKEN,
      MM1_CHECKPOINT_DIR, MM1_ATTEMPT);

  /** Port workers rendezvous on when MASTER_PORT is unset (PyTorch's customary default). */
  public static final int DEFAULT_MASTER_PORT = 29500;

  public PodEnv {
    if (nodes < 1) {
      throw new IllegalArgumentException(NNODES + " must be at least 1, got " + nodes);
    }
    if (nodeRank < 0 || nodeRank >= nodes) {
      throw new IllegalArgumentException(
          NODE_RANK + " must be in [0, " + (nodes - 1) + "] for " + NNODES + "=" + nodes + ", got " + nodeRank);
    }
    if (processesPerNode < 1) {
      throw new IllegalArgumentException(NPROC_PER_NODE + " must be at least 1, got " + processesPerNode);
    }
    if (localRank < 0 || localRank >= processesPerNode) {
      throw new IllegalArgumentException(LOCAL_RANK + " must be in [0, " + (processesPerNode - 1) + "] for "
          + NPROC_PER_NODE + "=" + processesPerNode + ", got " + localRank);
    }
    if (masterPort < 1 || masterPort > 65535) {
      throw new IllegalArgumentException(MASTER_PORT + " must be in [1, 65535], got " + masterPort);
    }
    if (attempt < 1) {
      throw new IllegalArgumentException(MM1_ATTEMPT + " must be at least 1, got " + attempt);
    }
  }

  /** This process's global rank: node rank x processes per node + local rank. */
  public int rank() {
    return nodeRank * processesPerNode + localRank;
  }

  /** Worker processes in the whole gang. */
  public int worldSize() {
    return nodes * processesPerNode;
  }

  /** Worker processes in this pod. */
  public int localWorldSize() {
    return processesPerNode;
  }

  /** The environment of this pod's worker process {@code localRank}, for the pod's launcher. */
  public PodEnv forProcess(int localRank) {
    return new PodEnv(config, nodeRank, nodes, processesPerNode, localRank, masterAddr, masterPort, runId,
        controlPlaneUrl, controlPlaneToken, checkpointDir, attempt);
  }

  /**
   * Reads the contract from an environment such as {@code System.getenv()}. Per-process variables
   * win when a launcher set them; a process with only the pod variables is local rank 0.
   */
  public static PodEnv from(Map<String, String> env) {
    int processes = integer(env, NPROC_PER_NODE, optional(env, LOCAL_WORLD_SIZE).isPresent() ? integer(env, LOCAL_WORLD_SIZE, 1) : 1);
    var worldSize = optional(env, WORLD_SIZE).map(v -> integer(env, WORLD_SIZE, 1));
    int nodes = integer(env, NNODES, worldSize.map(w -> Math.max(1, w / processes)).orElse(1));
    var rank = optional(env, RANK).map(v -> integer(env, RANK, 0));
    rank.ifPresent(r -> {
      int world = worldSize.orElse(nodes * processes);
      if (r < 0 || r >= world) {
        throw new IllegalArgumentException(RANK + " must be in [0, " + (world - 1) + "] for " + WORLD_SIZE + "=" + world + ", got " + r);
      }
    });
    int nodeRank = integer(env, NODE_RANK, rank.map(r -> r / processes).orElse(0));
    int localRank = integer(env, LOCAL_RANK, rank.map(r -> r - nodeRank * processes).orElse(0));
    var result = new PodEnv(
        Path.of(required(env, MM1_CONFIG)),
        nodeRank,
        nodes,
        processes,
        localRank,
        optional(env, MASTER_ADDR).orElse("127.0.0.1"),
        integer(env, MASTER_PORT, DEFAULT_MASTER_PORT),
        required(env, MM1_RUN_ID),
        optional(env, MM1_CONTROL_PLANE_URL).map(PodEnv::uri),
        optional(env, MM1_CONTROL_PLANE_TOKEN),
        Path.of(required(env, MM1_CHECKPOINT_DIR)),
        integer(env, MM1_ATTEMPT, 1));
    rank.ifPresent(r -> agree(RANK, r, result.rank()));
    worldSize.ifPresent(w -> agree(WORLD_SIZE, w, result.worldSize()));
    return result;
  }

  /** The variables the operator sets on a pod: everything but the per-process ranks. */
  public Map<String, String> podEnv() {
    var env = new LinkedHashMap<String, String>();
    env.put(MM1_CONFIG, config.toString());
    env.put(NODE_RANK, Integer.toString(nodeRank));
    env.put(NNODES, Integer.toString(nodes));
    env.put(NPROC_PER_NODE, Integer.toString(processesPerNode));
    env.put(MASTER_ADDR, masterAddr);
    env.put(MASTER_PORT, Integer.toString(masterPort));
    env.put(MM1_RUN_ID, runId);
    controlPlaneUrl.ifPresent(url -> env.put(MM1_CONTROL_PLANE_URL, url.toString()));
    controlPlaneToken.ifPresent(token -> env.put(MM1_CONTROL_PLANE_TOKEN, token));
    env.put(MM1_CHECKPOINT_DIR, checkpointDir.toString());
    env.put(MM1_ATTEMPT, Integer.toString(attempt));
    return env;
  }

  /** The whole contract for one worker process: the pod variables plus its ranks. */
  public Map<String, String> toEnv() {
    var env = podEnv();
    env.put(RANK, Integer.toString(rank()));
    env.put(LOCAL_RANK, Integer.toString(localRank));
    env.put(WORLD_SIZE, Integer.toString(worldSize()));
    env.put(LOCAL_WORLD_SIZE, Integer.toString(localWorldSize()));
    return env;
  }

  private static void agree(String name, int given, int derived) {
    if (given != derived) {
      throw new IllegalArgumentException("environment variable " + name + "=" + given + " contradicts " + NODE_RANK + ", "
          + NNODES + ", " + NPROC_PER_NODE + " and " + LOCAL_RANK + ", which give " + derived);
    }
  }

  private static String required(Map<String, String> env, String name) {
    return optional(env, name)
        .orElseThrow(() -> new IllegalArgumentException("environment variable " + name + " is not set"));
  }

  private static Optional<String> optional(Map<String, String> env, String name) {
    var value = env.get(name);
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
  }

  private static int integer(Map<String, String> env, String name, int fallback) {
    var value = optional(env, name);
    if (value.isEmpty()) {
      return fallback;
    }
    try {
      return Integer.parseInt(value.get());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "environment variable " + name + " must be an integer, got '" + value.get() + "'");
    }
  }

  private static URI uri(String value) {
    try {
      var uri = URI.create(value);
      if (uri.getScheme() == null || !uri.getScheme().startsWith("http")) {
        throw new IllegalArgumentException("not http(s)");
      }
      return uri;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "environment variable " + MM1_CONTROL_PLANE_URL + " must be an http(s) URL, got '" + value + "'");
    }
  }
}
