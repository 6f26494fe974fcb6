package dev.mm1.operator.training;

import static dev.mm1.operator.Cluster.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.mm1.api.v1alpha1.MM1Training;
import dev.mm1.api.v1alpha1.TrainingPhase;
import dev.mm1.api.ChildNames;
import dev.mm1.operator.Cluster;
import dev.mm1.operator.OperatorSettings;
import dev.mm1.operator.StatusWriter;
import dev.mm1.operator.bench.StandaloneOperator;
import dev.mm1.operator.validation.LenientSpecReading;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.HashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An operator that stops mid-run and a new one that takes over against the same API server: the
 * new one adopts the children, creates no duplicates, and carries the gang on.
 */
class OperatorRestartTest {
  KubernetesMockServer server;
  KubernetesClient client;

  @BeforeEach
  void start() throws Exception {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
    server.init();
    var mapper = JsonMapper.builder().build();
    LenientSpecReading.install(mapper);
    client = server.createClient(b -> b.withKubernetesSerialization(new KubernetesSerialization(mapper, true)));
    for (var plural : new String[] {"mm1trainings", "mm1evals"}) {
      try (var in = getClass().getClassLoader().getResourceAsStream("META-INF/mm1/crds/" + plural + ".mm1.dev.yaml")) {
        client.resource(client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class)).create();
      }
    }
  }

  @AfterEach
  void stop() {
    client.close();
    server.destroy();
  }

  @Test
  void aRestartedOperatorAdoptsTheChildrenAndCarriesTheGangOn() throws Exception {
    var cluster = new Cluster(client);
    var first = StandaloneOperator.start(client, OperatorSettings.defaults(), new SimpleMeterRegistry());
    cluster.apply("tiny-pretrain.yaml", "survivor", r -> {});
    eventually(() -> assertThat(cluster.jobs("survivor")).hasSize(1));
    var job = cluster.job(ChildNames.job("survivor", 1));
    cluster.runWorkers(job);
    eventually(() -> assertThat(cluster.training("survivor").getStatus().phase).isEqualTo(TrainingPhase.Running));
    first.stop();

    var second = StandaloneOperator.start(client, OperatorSettings.defaults(), new SimpleMeterRegistry());
    try {
      cluster.failWorker(cluster.job(ChildNames.job("survivor", 1)), 0, 137);
      eventually(() -> assertThat(cluster.jobs("survivor")).isEmpty());
      cluster.collectGarbage("survivor");
      eventually(() -> {
        assertThat(cluster.jobs("survivor")).extracting(j -> j.getMetadata().getName()).containsExactly(ChildNames.job("survivor", 2));
        assertThat(cluster.training("survivor").getStatus().restarts).isEqualTo(1);
      });
      assertThat(cluster.services("survivor")).hasSize(1);
      assertThat(cluster.configMaps("survivor")).hasSize(1);
    } finally {
      second.stop();
    }
  }

  @Test
  void aConflictingStatusWriteIsRetriedOnAFreshCopy() throws Exception {
    var cluster = new Cluster(client);
    cluster.apply("tiny-pretrain.yaml", "conflict", r -> {});
    var stale = cluster.training("conflict");
    cluster.editTraining("conflict", t -> t.getMetadata().setLabels(java.util.Map.of("touched", "yes")));
    var status = new dev.mm1.api.v1alpha1.MM1TrainingStatus();
    status.phase = TrainingPhase.Pending;
    boolean written = StatusWriter.write(client, stale, status, t -> client.resource(t).updateStatus());
    assertThat(written).isTrue();
    var stored = client.resources(MM1Training.class).inNamespace(Cluster.NS).withName("conflict").get();
    assertThat(stored.getStatus().phase).isEqualTo(TrainingPhase.Pending);
    assertThat(stored.getMetadata().getLabels()).containsEntry("touched", "yes");
  }
}
