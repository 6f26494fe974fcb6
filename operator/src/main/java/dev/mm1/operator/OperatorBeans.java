package dev.mm1.operator;

import dev.mm1.operator.controlplane.ControlPlaneClient;
import dev.mm1.operator.controlplane.ControlPlaneSync;
import dev.mm1.operator.validation.SpecValidator;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/** The operator's collaborators as CDI beans; the benchmark builds the same ones by hand. */
public class OperatorBeans {
  @Produces
  @Singleton
  OperatorSettings settings(OperatorConfig config) {
    return config.settings();
  }

  @Produces
  @Singleton
  ControlPlaneClient controlPlane(OperatorSettings settings) {
    return new ControlPlaneClient(settings.controlPlaneUrl(), settings.controlPlaneToken());
  }

  @Produces
  @Singleton
  ReconcileMetrics metrics(MeterRegistry registry) {
    return new ReconcileMetrics(registry);
  }

  @Produces
  @Singleton
  ControlPlaneSync controlPlaneSync(OperatorSettings settings, ControlPlaneClient controlPlane) {
    return new ControlPlaneSync(controlPlane, settings.progressInterval(), Clock.systemUTC());
  }

  @Produces
  @Singleton
  ReconcilerServices services(OperatorSettings settings, ControlPlaneSync controlPlane, ReconcileMetrics metrics) {
    return new ReconcilerServices(settings, controlPlane, new SpecValidator(), metrics, Clock.systemUTC());
  }
}
