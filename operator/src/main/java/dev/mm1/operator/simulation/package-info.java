/**
 * A simulated Kubernetes cluster for the operator's tests and for {@code ./mm1 bench operator}:
 * never used by the operator itself. It lives in main, not in the test sources, because the
 * benchmark ships with the operator and measures the time from a worker failure to the next
 * gang's pods, which needs the Job controller, kubelet and garbage collector that make and remove
 * those pods ({@link dev.mm1.operator.simulation.SimulatedCluster}), and a control plane it can take
 * down ({@link dev.mm1.operator.simulation.TestingControlPlane}).
 *
 * <p>The components act in the order the real ones do (Job controller, scheduler, kubelet, garbage
 * collector) against the Fabric8 CRUD mock API server extended with foreground deletion, pod grace
 * periods, admission and watch lag ({@link dev.mm1.operator.simulation.SimulatedApiServer}).
 */
package dev.mm1.operator.simulation;
