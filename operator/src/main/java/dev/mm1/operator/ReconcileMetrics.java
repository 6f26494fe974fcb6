package dev.mm1.operator;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.concurrent.Callable;

/**
 * Prometheus metrics of reconciling: {@code mm1_operator_reconciles_total{kind,outcome}},
 * {@code mm1_operator_reconcile_seconds{kind}} (with p50/p95/p99) and
 * {@code mm1_operator_reconcile_errors_total{kind,namespace,name}} for the resource that failed.
 */
public final class ReconcileMetrics {
  private final MeterRegistry registry;

  public ReconcileMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Runs one reconcile of {@code resource}, counting and timing it. */
  public <T> T record(HasMetadata resource, Callable<T> reconcile) throws Exception {
    var kind = resource.getKind();
    var sample = Timer.start(registry);
    try {
      var result = reconcile.call();
      Counter.builder("mm1.operator.reconciles").tag("kind", kind).tag("outcome", "success").register(registry).increment();
      return result;
    } catch (Exception | Error e) {
      Counter.builder("mm1.operator.reconciles").tag("kind", kind).tag("outcome", "error").register(registry).increment();
      Counter.builder("mm1.operator.reconcile.errors")
          .tag("kind", kind)
          .tag("namespace", resource.getMetadata().getNamespace())
          .tag("name", resource.getMetadata().getName())
          .register(registry).increment();
      throw e;
    } finally {
      sample.stop(timer(kind));
    }
  }

  /** The reconcile-duration timer of {@code kind}. */
  public Timer timer(String kind) {
    return Timer.builder("mm1.operator.reconcile")
        .description("Duration of one reconcile")
        .tag("kind", kind)
        .publishPercentiles(0.5, 0.95, 0.99)
        .register(registry);
  }
}
