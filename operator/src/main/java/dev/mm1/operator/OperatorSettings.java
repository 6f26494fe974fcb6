package dev.mm1.operator;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * What the operator is told by its deployment (Quarkus configuration {@code mm1.operator.*}; see
 * {@link OperatorConfig}).
 *
 * @param trainerImage image of trainer pods whose spec names none
 * @param evaluatorImage image of evaluator pods whose spec names none
 * @param controlPlaneUrl base URL of the control plane; empty runs without one
 * @param controlPlaneToken the operator's own bearer token
 * @param tokenSecretName Secret holding the token pods report with
 * @param tokenSecretKey key of the token in that Secret
 * @param masterPort rendezvous port on rank 0
 * @param progressInterval how often a running training's progress is read from the control plane
 */
public record OperatorSettings(
    String trainerImage,
    String evaluatorImage,
    Optional<URI> controlPlaneUrl,
    Optional<String> controlPlaneToken,
    String tokenSecretName,
    String tokenSecretKey,
    int masterPort,
    Duration progressInterval) {

  /** Defaults for tests and the benchmark: no control plane. */
  public static OperatorSettings defaults() {
    return new OperatorSettings(DefaultImages.mm1(), DefaultImages.mm1(),
        Optional.empty(), Optional.empty(), "mm1-control-plane-token", "token",
        dev.mm1.api.PodEnv.DEFAULT_MASTER_PORT, Duration.ofSeconds(30));
  }

  public OperatorSettings withProgressInterval(Duration interval) {
    return new OperatorSettings(trainerImage, evaluatorImage, controlPlaneUrl, controlPlaneToken,
        tokenSecretName, tokenSecretKey, masterPort, interval);
  }

  public OperatorSettings withControlPlane(URI url, String token) {
    return new OperatorSettings(trainerImage, evaluatorImage, Optional.of(url), Optional.ofNullable(token),
        tokenSecretName, tokenSecretKey, masterPort, progressInterval);
  }
}
