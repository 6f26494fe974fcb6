package dev.mm1.operator;

import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.mm1.operator.bench.StandaloneOperator;
import dev.mm1.operator.simulation.SimulatedCluster;
import dev.mm1.operator.validation.LenientSpecReading;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A {@link SimulatedCluster} of its own with the operator's reconcilers on plain JOSDK, for tests
 * that change how the cluster behaves (watch lag, admission, the Job controller's release) or stop
 * and start the operator. The operator's calls are recorded for {@link RbacAudit}.
 */
public final class SimulatedOperator implements AutoCloseable {
  private final SimulatedCluster simulation;
  private final KubernetesClient operatorClient;
  private final Cluster cluster;
  private Operator operator;
  private volatile Duration clockOffset = Duration.ZERO;
  /** The operator's clock: the system's, moved forward by {@link #advanceClock} (deadlines without waiting). */
  private final Clock clock = new Clock() {
    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.now().plus(clockOffset);
    }
  };

  public SimulatedOperator() {
    simulation = SimulatedCluster.start().runControllers();
    RbacAudit.record(simulation);
    var mapper = JsonMapper.builder().build();
    LenientSpecReading.install(mapper);
    // Fabric8's default User-Agent: RbacAudit takes these calls for the operator's.
    operatorClient = simulation.newClient(null, b -> b.withKubernetesSerialization(new KubernetesSerialization(mapper, true)));
    cluster = new Cluster(simulation);
  }

  /** Starts the operator (again) with {@code settings}. */
  public SimulatedOperator startOperator(OperatorSettings settings) {
    stopOperator();
    operator = StandaloneOperator.start(operatorClient, settings, new SimpleMeterRegistry(), clock);
    return this;
  }

  public SimulatedOperator startOperator() {
    return startOperator(OperatorSettings.defaults());
  }

  public void stopOperator() {
    if (operator != null) {
      operator.stop();
      operator = null;
    }
  }

  /** Moves the operator's clock forward by {@code by}; the API server's and the cluster's stay. */
  public synchronized void advanceClock(Duration by) {
    clockOffset = clockOffset.plus(by);
  }

  public SimulatedCluster simulation() {
    return simulation;
  }

  public Cluster cluster() {
    return cluster;
  }

  /** The operator's client (for tests that call the operator's code directly). */
  public KubernetesClient operatorClient() {
    return operatorClient;
  }

  @Override
  public void close() {
    stopOperator();
    operatorClient.close();
    simulation.close();
  }
}
