package dev.mm1.operator;

import dev.mm1.api.PodEnv;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import java.util.ArrayList;
import java.util.List;

/** The pod env contract ({@link PodEnv}) as container environment variables. */
public final class PodEnvVars {
  /** Where Kubernetes puts an Indexed Job pod's completion index. */
  static final String COMPLETION_INDEX_FIELD = "metadata.annotations['batch.kubernetes.io/job-completion-index']";

  private PodEnvVars() {}

  /**
   * The pod variables of {@code env} (the launcher in the pod sets the per-process ranks); with
   * {@code nodeRankFromCompletionIndex} NODE_RANK is each pod's Job completion index (the value in
   * {@code env} is ignored). The control-plane token always comes from the Secret in
   * {@code settings}, never a literal, and the Secret must exist: a pod without it would only get
   * 401s, so the kubelet holds it back instead (CreateContainerConfigError, reported as a condition).
   */
  public static List<EnvVar> of(PodEnv env, boolean nodeRankFromCompletionIndex, OperatorSettings settings) {
    var vars = new ArrayList<EnvVar>();
    env.podEnv().forEach((name, value) -> {
      if (name.equals(PodEnv.NODE_RANK) && nodeRankFromCompletionIndex) {
        vars.add(new EnvVarBuilder().withName(name)
            .withNewValueFrom().withNewFieldRef().withFieldPath(COMPLETION_INDEX_FIELD).endFieldRef().endValueFrom()
            .build());
      } else {
        vars.add(new EnvVar(name, value, null));
      }
    });
    if (env.controlPlaneUrl().isPresent()) {
      vars.add(new EnvVarBuilder().withName(PodEnv.MM1_CONTROL_PLANE_TOKEN)
          .withNewValueFrom().withNewSecretKeyRef(settings.tokenSecretKey(), settings.tokenSecretName(), false).endValueFrom()
          .build());
    }
    return vars;
  }
}
