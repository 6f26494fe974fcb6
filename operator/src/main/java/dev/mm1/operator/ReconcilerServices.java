package dev.mm1.operator;

import dev.mm1.operator.controlplane.ControlPlaneSync;
import dev.mm1.operator.validation.SpecValidator;
import java.time.Clock;

/**
 * What both reconcilers work with besides the Kubernetes client.
 *
 * @param settings the operator's configuration
 * @param controlPlane the control plane's REST API, called in the background and read from a cache
 * @param validator schema and rule checks of specs
 * @param metrics reconcile counters and timers
 * @param clock the time conditions and status are stamped with
 */
public record ReconcilerServices(
    OperatorSettings settings, ControlPlaneSync controlPlane, SpecValidator validator, ReconcileMetrics metrics, Clock clock) {}
