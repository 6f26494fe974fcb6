package dev.mm1.operator.eval;

import dev.mm1.api.v1alpha1.MM1Eval;
import dev.mm1.operator.Labels;
import dev.mm1.operator.ReconcilerServices;
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
public class MM1EvalReconciler implements Reconciler<MM1Eval> {
  public static final String NAME = "mm1eval";

  private final ReconcilerServices services;

  public MM1EvalReconciler(ReconcilerServices services) {
    this.services = services;
  }

  @Override
  public UpdateControl<MM1Eval> reconcile(MM1Eval eval, Context<MM1Eval> context) throws Exception {
    return services.metrics().record(eval, () -> {
      var run = new EvalReconcile(eval, context, services);
      run.observe();
      if (!run.validate(services.validator())) {
        return run.finish();                 // InvalidSpec: condition + event, no children
      }
      if (run.finished()) {
        run.expireChildrenAfterTtl();
        return run.finish();
      }
      if (!run.resolveCheckpoint()) {
        return run.finish();                 // the training has no checkpoint yet
      }
      run.syncControlPlane();                // register the eval run
      run.applyConfigAndJob();
      run.judgeEvaluator();                  // running, or results + gate, or failed
      return run.finish();                   // one status write, then events
    });
  }

  @Override
  public List<EventSource<?, MM1Eval>> prepareEventSources(EventSourceContext<MM1Eval> context) {
    return List.of(informer(context, Job.class, Labels.ROLE_EVALUATOR), informer(context, ConfigMap.class, Labels.ROLE_CONFIG));
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
