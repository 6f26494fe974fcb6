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
   * Every variable of {@code env}; with {@code rankFromCompletionIndex} RANK is each pod's Job
   * completion index (the value in {@code env} is ignored), and the control-plane token always comes
   * from the Secret in {@code settings}, never a literal.
   */
  public static List<EnvVar> of(PodEnv env, boolean rankFromCompletionIndex, OperatorSettings settings) {
    var vars = new ArrayList<EnvVar>();
    env.toEnv().forEach((name, value) -> {
      if (name.equals(PodEnv.RANK) && rankFromCompletionIndex) {
        vars.add(new EnvVarBuilder().withName(name)
            .withNewValueFrom().withNewFieldRef().withFieldPath(COMPLETION_INDEX_FIELD).endFieldRef().endValueFrom()
            .build());
      } else {
        vars.add(new EnvVar(name, value, null));
      }
    });
    if (env.controlPlaneUrl().isPresent()) {
      vars.add(new EnvVarBuilder().withName(PodEnv.MM1_CONTROL_PLANE_TOKEN)
          .withNewValueFrom().withNewSecretKeyRef(settings.tokenSecretKey(), settings.tokenSecretName(), true).endValueFrom()
          .build());
    }
    return vars;
  }
}
