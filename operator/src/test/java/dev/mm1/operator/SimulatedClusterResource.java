package dev.mm1.operator;

import dev.mm1.operator.simulation.SimulatedCluster;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Starts one {@link SimulatedCluster} (API server, Job controller, scheduler, kubelet, garbage
 * collector) for the Quarkus tests, points the operator's Kubernetes client at it and records the
 * operator's calls for {@link RbacAudit}.
 */
public class SimulatedClusterResource implements QuarkusTestResourceLifecycleManager {
  private static SimulatedCluster cluster;

  public static SimulatedCluster cluster() {
    return cluster;
  }

  @Override
  public Map<String, String> start() {
    cluster = SimulatedCluster.start().runControllers();
    RbacAudit.record(cluster);
    // As Quarkus' own mock-server resource does it: the client's settings are fixed at build time, so the
    // API server is named through Fabric8's system properties; never a kubeconfig or service account of this machine.
    var properties = Map.of(
        "kubernetes.master", cluster.url(),
        "kubernetes.namespace", Cluster.NS,
        "kubernetes.trust.certificates", "true",
        "kubernetes.auth.tryKubeConfig", "false",
        "kubernetes.auth.tryServiceAccount", "false",
        "http2.disable", "true");
    properties.forEach(System::setProperty);
    return properties;
  }

  @Override
  public void stop() {
    cluster.close();
  }
}
