package dev.mm1.operator.training;

import dev.mm1.api.v1alpha1.MM1Training;
import dev.mm1.operator.Labels;
import dev.mm1.operator.ReconcileErrors;
import dev.mm1.operator.ReconcilerServices;
import dev.mm1.operator.RunCloser;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.List;
import java.util.Set;

/**
 * Turns an MM1Training into a ConfigMap, a headless Service and one Indexed Job per gang attempt
 * (plus an optional checkpoint claim), restarts the gang when a worker fails, and keeps the status
 * true. Each step is a method of {@link TrainingReconcile}. Its finalizer closes the run in the
 * control plane when the training is deleted.
 */
@ControllerConfiguration(name = MM1TrainingReconciler.NAME)
public class MM1TrainingReconciler implements Reconciler<MM1Training>, Cleaner<MM1Training> {
  public static final String NAME = "mm1training";
  static final String CHILD_SELECTOR = Labels.PARENT_KIND + "=MM1Training";

  private final ReconcilerServices services;
  /** Reconciles a training again when its control-plane call came back. */
  private final SimpleInboundEventSource<MM1Training> controlPlaneAnswers = new SimpleInboundEventSource<>("ControlPlane");

  public MM1TrainingReconciler(ReconcilerServices services) {
    this.services = services;
  }

  @Override
  public UpdateControl<MM1Training> reconcile(MM1Training training, Context<MM1Training> context) throws Exception {
    return services.metrics().record(training, () -> {
      var run = new TrainingReconcile(training, context, services, wake(training));
      run.observe();
      if (run.finished()) {
        run.expireChildrenAfterTtl();        // Succeeded and Failed are terminal: no edit re-runs them
        run.mirrorFinalProgress();           // the last step and checkpoint may be reported after the Job ended
        return run.finish();
      }
      if (!run.validate(services.validator())) {
        return run.finish();                 // InvalidSpec: condition + event, no children
      }
      if (!run.resolveInitCheckpoint()) {
        return run.finish();                 // SFT waits for its source's checkpoint
      }
      run.syncControlPlane();                // cached run id and progress; calls go in the background
      run.rejectImmutableChanges();          // effective spec = accepted spec + mutable fields
      if (run.applyConfigAndService()) {     // create, recreate or update; a name taken by another is a condition
        run.driveGang();                     // suspend/resume, create, judge, restart or finish
      }
      return run.finish();                   // one status write, then events
    });
  }

  @Override
  public DeleteControl cleanup(MM1Training training, Context<MM1Training> context) {
    return RunCloser.close(training, training.getStatus() == null ? null : training.getStatus().runId, services, wake(training),
        context.getClient());
  }

  @Override
  public ErrorStatusUpdateControl<MM1Training> updateErrorStatus(MM1Training training, Context<MM1Training> context, Exception e) {
    return ReconcileErrors.toStatus(training, context, e, services);
  }

  private Runnable wake(MM1Training training) {
    var id = ResourceID.fromResource(training);
    return () -> controlPlaneAnswers.propagateEvent(id);
  }

  @Override
  public List<EventSource<?, MM1Training>> prepareEventSources(EventSourceContext<MM1Training> context) {
    return List.of(
        informer(context, Job.class, Labels.ROLE + "=" + Labels.ROLE_WORKER),
        informer(context, Pod.class, Labels.ROLE + "=" + Labels.ROLE_WORKER),
        informer(context, Service.class, Labels.ROLE + "=" + Labels.ROLE_SERVICE),
        informer(context, ConfigMap.class, Labels.ROLE + "=" + Labels.ROLE_CONFIG),
        controlPlaneAnswers);
  }

  static <R extends HasMetadata> InformerEventSource<R, MM1Training> informer(
      EventSourceContext<MM1Training> context, Class<R> type, String roleSelector) {
    return new InformerEventSource<>(
        InformerEventSourceConfiguration.from(type, MM1Training.class)
            .withName(type.getSimpleName())
            .withLabelSelector(CHILD_SELECTOR + "," + roleSelector)
            .withSecondaryToPrimaryMapper(byParentLabel())
            .withNamespacesInheritedFromController()
            .build(),
        context);
  }

  /** Children (and the pods of their Jobs) name their parent in a label; pods have no owner reference to it. */
  static <R extends HasMetadata> SecondaryToPrimaryMapper<R> byParentLabel() {
    return child -> {
      var labels = child.getMetadata().getLabels();
      var parent = labels == null ? null : labels.get(Labels.PARENT_NAME);
      return parent == null ? Set.of() : Set.of(new ResourceID(parent, child.getMetadata().getNamespace()));
    };
  }
}
