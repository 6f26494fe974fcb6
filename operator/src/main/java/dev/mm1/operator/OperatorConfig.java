package dev.mm1.operator;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/** Quarkus configuration of the operator, {@code mm1.operator.*} (env: {@code MM1_OPERATOR_*}). */
@ConfigMapping(prefix = "mm1.operator")
public interface OperatorConfig {
  /** Image of trainer pods whose spec names none; default {@link DefaultImages#mm1()}. */
  Optional<String> trainerImage();

  /** Image of evaluator pods whose spec names none; default {@link DefaultImages#mm1()}. */
  Optional<String> evaluatorImage();

  ControlPlane controlPlane();

  @WithDefault("29500")
  int masterPort();

  @WithDefault("30s")
  Duration progressInterval();

  /** The control plane the operator registers runs with and reads progress from. */
  interface ControlPlane {
    /** Base URL, e.g. http://mm1-control-plane:8080; unset runs without a control plane. */
    Optional<URI> url();

    /** The operator's bearer token (from a Secret in the Deployment). */
    Optional<String> token();

    /** Secret whose key {@link #tokenSecretKey()} worker pods get as MM1_CONTROL_PLANE_TOKEN. */
    @WithDefault("mm1-control-plane-token")
    String tokenSecretName();

    @WithDefault("token")
    String tokenSecretKey();
  }

  default OperatorSettings settings() {
    return new OperatorSettings(trainerImage().orElse(DefaultImages.mm1()), evaluatorImage().orElse(DefaultImages.mm1()),
        controlPlane().url(), controlPlane().token(),
        controlPlane().tokenSecretName(), controlPlane().tokenSecretKey(), masterPort(), progressInterval());
  }
}
