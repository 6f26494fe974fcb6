package dev.mm1.operator;

import dev.mm1.api.v1alpha1.MM1Eval;
import dev.mm1.api.v1alpha1.MM1EvalStatus;
import dev.mm1.api.v1alpha1.MM1Training;
import dev.mm1.api.v1alpha1.MM1TrainingStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.CustomResource;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import java.util.ArrayList;
import java.util.List;

/**
 * A reconcile that threw (the API server refused a child, a conflict that outlived its retries):
 * the error reaches status as {@code Reconciled=False, reason=ReconcileError} with its message, and
 * a Warning event; JOSDK retries the reconcile with backoff.
 */
public final class ReconcileErrors {
  private ReconcileErrors() {}

  public static <R extends CustomResource<?, ?>> ErrorStatusUpdateControl<R> toStatus(
      R resource, Context<R> context, Exception error, ReconcilerServices services) {
    var now = services.clock().instant();
    var message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    var copy = context.getClient().getKubernetesSerialization().clone(resource);
    List<Condition> conditions = switch (copy) {
      case MM1Training training -> {
        if (training.getStatus() == null) {
          training.setStatus(new MM1TrainingStatus());
        }
        yield training.getStatus().conditions == null ? (training.getStatus().conditions = new ArrayList<>()) : training.getStatus().conditions;
      }
      case MM1Eval eval -> {
        if (eval.getStatus() == null) {
          eval.setStatus(new MM1EvalStatus());
        }
        yield eval.getStatus().conditions == null ? (eval.getStatus().conditions = new ArrayList<>()) : eval.getStatus().conditions;
      }
      default -> null;
    };
    if (conditions == null) {
      return ErrorStatusUpdateControl.defaultErrorProcessing();
    }
    long generation = resource.getMetadata().getGeneration() == null ? 1 : resource.getMetadata().getGeneration();
    boolean repeated = Conditions.hasReason(conditions, Reasons.RECONCILED, Reasons.RECONCILE_ERROR)
        && message.equals(Conditions.find(conditions, Reasons.RECONCILED).get().getMessage());
    Conditions.set(conditions, Reasons.RECONCILED, false, Reasons.RECONCILE_ERROR, message, generation, now);
    if (!repeated) {
      var events = new EventRecorder();
      events.warning(Reasons.RECONCILE_ERROR, message);
      events.send(context.getClient(), resource, now);
    }
    return ErrorStatusUpdateControl.patchStatus(copy);
  }
}
