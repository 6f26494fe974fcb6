package dev.mm1.operator.bench;

import dev.mm1.operator.OperatorSettings;
import dev.mm1.operator.ReconcileMetrics;
import dev.mm1.operator.ReconcilerServices;
import dev.mm1.operator.controlplane.ControlPlaneClient;
import dev.mm1.operator.controlplane.ControlPlaneSync;
import dev.mm1.operator.eval.MM1EvalReconciler;
import dev.mm1.operator.training.MM1TrainingReconciler;
import dev.mm1.operator.validation.SpecValidator;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;

/**
 * The operator's reconcilers on plain Java Operator SDK, without Quarkus: for the benchmark and for
 * tests that stop one operator and start another (an operator restart) against the same API server.
 */
public final class StandaloneOperator {
  private StandaloneOperator() {}

  /** Reconcile threads of this operator; the benchmark's bare client creates with as many. */
  public static final int THREADS = 16;

  /** Starts both reconcilers against {@code client}; server-side apply off (the mock API server lacks it). */
  public static Operator start(KubernetesClient client, OperatorSettings settings, MeterRegistry registry) {
    return start(client, settings, registry, Clock.systemUTC());
  }

  /** The same with {@code clock} as the reconcilers' time (tests move it past deadlines). */
  public static Operator start(KubernetesClient client, OperatorSettings settings, MeterRegistry registry, Clock clock) {
    return start(client, settings, registry, clock, null);
  }

  /**
   * The same, reconciling only the custom resources with labels matching {@code labelSelector} (null:
   * all), so the benchmark's bare client can work beside the operator on resources it never sees.
   */
  public static Operator start(KubernetesClient client, OperatorSettings settings, MeterRegistry registry, Clock clock, String labelSelector) {
    var operator = new Operator(o -> o
        .withKubernetesClient(client)
        .withCloseClientOnStop(false)
        .withUseSSAToPatchPrimaryResource(false)
        .withSSABasedCreateUpdateMatchForDependentResources(false)
        .withConcurrentReconciliationThreads(THREADS));
    var services = new ReconcilerServices(settings,
        new ControlPlaneSync(new ControlPlaneClient(settings.controlPlaneUrl(), settings.controlPlaneToken()), settings.progressInterval(), clock),
        new SpecValidator(), new ReconcileMetrics(registry), clock);
    operator.register(new MM1TrainingReconciler(services), o -> o.withLabelSelector(labelSelector));
    operator.register(new MM1EvalReconciler(services), o -> o.withLabelSelector(labelSelector));
    operator.start();
    return operator;
  }
}
