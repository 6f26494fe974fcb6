package dev.mm1.api;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The environment a trainer or evaluator process receives, from the operator on a cluster or from
 * the local launcher. This class owns the variable names; nothing else spells them.
 *
 * @param config path of the rendered trainer/evaluator configuration JSON
 * @param rank this worker's rank, 0 to worldSize - 1 (on a cluster the Job completion index)
 * @param worldSize number of workers in the gang
 * @param masterAddr host of rank 0, where the workers rendezvous
 * @param masterPort rendezvous port on rank 0
 * @param runId control-plane run id the process reports to
 * @param controlPlaneUrl base URL of the control plane; empty when running without one
 * @param controlPlaneToken bearer token for the control plane; empty when running without one
 * @param checkpointDir directory holding this run's step-NNNNNNNNN checkpoints
 * @param attempt gang attempt, 1 for the first start, +1 for each gang restart
 */
public record PodEnv(
    Path config,
    int rank,
    int worldSize,
    String masterAddr,
    int masterPort,
    String runId,
    Optional<URI> controlPlaneUrl,
    Optional<String> controlPlaneToken,
    Path checkpointDir,
    int attempt) {

  public static final String MM1_CONFIG = "MM1_CONFIG";
  public static final String RANK = "RANK";
  public static final String WORLD_SIZE = "WORLD_SIZE";
  public static final String MASTER_ADDR = "MASTER_ADDR";
  public static final String MASTER_PORT = "MASTER_PORT";
  public static final String MM1_RUN_ID = "MM1_RUN_ID";
  public static final String MM1_CONTROL_PLANE_URL = "MM1_CONTROL_PLANE_URL";
  public static final String MM1_CONTROL_PLANE_TOKEN = "MM1_CONTROL_PLANE_TOKEN";
  public static final String MM1_CHECKPOINT_DIR = "MM1_CHECKPOINT_DIR";
  public static final String MM1_ATTEMPT = "MM1_ATTEMPT";

  /** Port workers rendezvous on when MASTER_PORT is unset (PyTorch's customary default). */
  public static final int DEFAULT_MASTER_PORT = 29500;

  public PodEnv {
    if (worldSize < 1) {
      throw new IllegalArgumentException(WORLD_SIZE + " must be at least 1, got " + worldSize);
    }
    if (rank < 0 || rank >= worldSize) {
      throw new IllegalArgumentException(
          RANK + " must be in [0, " + (worldSize - 1) + "] for " + WORLD_SIZE + "=" + worldSize
              + ", got " + rank);
    }
    if (masterPort < 1 || masterPort > 65535) {
      throw new IllegalArgumentException(MASTER_PORT + " must be in [1, 65535], got " + masterPort);
    }
    if (attempt < 1) {
      throw new IllegalArgumentException(MM1_ATTEMPT + " must be at least 1, got " + attempt);
    }
  }

  /** Reads the contract from an environment such as {@code System.getenv()}. */
  public static PodEnv from(Map<String, String> env) {
    return new PodEnv(
        Path.of(required(env, MM1_CONFIG)),
        integer(env, RANK, 0),
        integer(env, WORLD_SIZE, 1),
        optional(env, MASTER_ADDR).orElse("127.0.0.1"),
        integer(env, MASTER_PORT, DEFAULT_MASTER_PORT),
        required(env, MM1_RUN_ID),
        optional(env, MM1_CONTROL_PLANE_URL).map(url -> uri(url)),
        optional(env, MM1_CONTROL_PLANE_TOKEN),
        Path.of(required(env, MM1_CHECKPOINT_DIR)),
        integer(env, MM1_ATTEMPT, 1));
  }

  /** The same contract as variables, for a launcher to hand to a child process or a pod. */
  public Map<String, String> toEnv() {
    var env = new java.util.LinkedHashMap<String, String>();
    env.put(MM1_CONFIG, config.toString());
    env.put(RANK, Integer.toString(rank));
    env.put(WORLD_SIZE, Integer.toString(worldSize));
    env.put(MASTER_ADDR, masterAddr);
    env.put(MASTER_PORT, Integer.toString(masterPort));
    env.put(MM1_RUN_ID, runId);
    controlPlaneUrl.ifPresent(url -> env.put(MM1_CONTROL_PLANE_URL, url.toString()));
    controlPlaneToken.ifPresent(token -> env.put(MM1_CONTROL_PLANE_TOKEN, token));
    env.put(MM1_CHECKPOINT_DIR, checkpointDir.toString());
    env.put(MM1_ATTEMPT, Integer.toString(attempt));
    return env;
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
