package dev.mm1.operator.eval;

import dev.mm1.api.v1alpha1.MM1Eval;
import dev.mm1.operator.Labels;
import dev.mm1.operator.ReconcileErrors;
import dev.mm1.operator.ReconcilerServices;
import dev.mm1.operator.RunCloser;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.util.List;

/**
 * Turns an MM1Eval into an evaluator Job on a resolved checkpoint, and mirrors its results and gate
 * verdict into status. Each step is a method of {@link EvalReconcile}.
 */
@ControllerConfiguration(name = MM1EvalReconciler.NAME)
public class MM1EvalReconciler implements Reconciler<MM1Eval>, Cleaner<MM1Eval> {
  public static final String NAME = "mm1eval";

  private final ReconcilerServices services;
  /** Reconciles an eval again when its control-plane call came back. */
  private final SimpleInboundEventSource<MM1Eval> controlPlaneAnswers = new SimpleInboundEventSource<>("ControlPlane");

  public MM1EvalReconciler(ReconcilerServices services) {
    this.services = services;
  }

  @Override
  public UpdateControl<MM1Eval> reconcile(MM1Eval eval, Context<MM1Eval> context) throws Exception {
    return services.metrics().record(eval, () -> {
      var run = new EvalReconcile(eval, context, services, wake(eval));
      run.observe();
      if (run.finished()) {
        run.expireChildrenAfterTtl();        // terminal: no edit evaluates again
        return run.finish();
      }
      if (!run.validate(services.validator())) {
        return run.finish();                 // InvalidSpec: condition + event, no children
      }
      if (!run.resolveCheckpoint()) {
        return run.finish();                 // the training has no checkpoint yet
      }
      run.syncControlPlane();                // cached run id; registration goes in the background
      if (run.applyConfigAndJob()) {         // a name taken by another object is a condition
        run.judgeEvaluator();                // running, or results + gate, or failed
      }
      return run.finish();                   // one status write, then events
    });
  }

  @Override
  public DeleteControl cleanup(MM1Eval eval, Context<MM1Eval> context) {
    return RunCloser.close(eval, eval.getStatus() == null ? null : eval.getStatus().runId, services, wake(eval), context.getClient());
  }

  @Override
  public ErrorStatusUpdateControl<MM1Eval> updateErrorStatus(MM1Eval eval, Context<MM1Eval> context, Exception e) {
    return ReconcileErrors.toStatus(eval, context, e, services);
  }

  private Runnable wake(MM1Eval eval) {
    var id = ResourceID.fromResource(eval);
    return () -> controlPlaneAnswers.propagateEvent(id);
  }

  @Override
  public List<EventSource<?, MM1Eval>> prepareEventSources(EventSourceContext<MM1Eval> context) {
    return List.of(informer(context, Job.class, Labels.ROLE_EVALUATOR), informer(context, ConfigMap.class, Labels.ROLE_CONFIG),
        controlPlaneAnswers);
  }

  private static <R extends HasMetadata> InformerEventSource<R, MM1Eval> informer(
      EventSourceContext<MM1Eval> context, Class<R> type, String role) {
    return new InformerEventSource<>(
        InformerEventSourceConfiguration.from(type, MM1Eval.class)
            .withName(type.getSimpleName())
            .withLabelSelector(Labels.PARENT_KIND + "=MM1Eval," + Labels.ROLE + "=" + role)
            .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(MM1Eval.class))
            .withNamespacesInheritedFromController()
            .build(),
        context);
  }
}
