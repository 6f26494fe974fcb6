package dev.mm1.operator.training;

import static dev.mm1.operator.Cluster.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mm1.api.v1alpha1.MM1Training;
import dev.mm1.api.v1alpha1.TrainingPhase;
import dev.mm1.api.ChildNames;
import dev.mm1.operator.Cluster;
import dev.mm1.operator.SimulatedOperator;
import dev.mm1.operator.StatusWriter;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An operator that stops mid-run and a new one that takes over against the same API server: the
 * new one adopts the children, creates no duplicates, and carries the gang on.
 */
class OperatorRestartTest {
  SimulatedOperator simulated;
  KubernetesClient client;

  @BeforeEach
  void start() {
    simulated = new SimulatedOperator();
    client = simulated.operatorClient();
  }

  @AfterEach
  void stop() {
    simulated.close();
  }

  @Test
  void aRestartedOperatorAdoptsTheChildrenAndCarriesTheGangOn() throws Exception {
    var cluster = simulated.cluster();
    simulated.startOperator();
    cluster.apply("tiny-pretrain.yaml", "survivor", r -> {});
    eventually(() -> assertThat(cluster.jobs("survivor")).hasSize(1));
    var job = cluster.job(ChildNames.job("survivor", 1));
    cluster.awaitRunning(job.getMetadata().getName());
    eventually(() -> assertThat(cluster.training("survivor").getStatus().phase).isEqualTo(TrainingPhase.Running));
    simulated.stopOperator();

    simulated.startOperator();
    cluster.failWorker(ChildNames.job("survivor", 1), 0, 137);
    eventually(() -> {
      assertThat(cluster.jobs("survivor")).extracting(j -> j.getMetadata().getName()).containsExactly(ChildNames.job("survivor", 2));
      assertThat(cluster.training("survivor").getStatus().restarts).isEqualTo(1);
    });
    assertThat(cluster.services("survivor")).hasSize(1);
    assertThat(cluster.configMaps("survivor")).hasSize(1);
    assertThat(simulated.simulation().gangOverlaps()).isEmpty();
  }

  @Test
  void aConflictingStatusWriteIsRetriedOnAFreshCopy() throws Exception {
    var cluster = simulated.cluster();
    cluster.apply("tiny-pretrain.yaml", "conflict", r -> {});
    var stale = cluster.training("conflict");
    cluster.editTraining("conflict", t -> t.getMetadata().setLabels(java.util.Map.of("touched", "yes")));
    var status = new dev.mm1.api.v1alpha1.MM1TrainingStatus();
    status.phase = TrainingPhase.Pending;
    var outcome = StatusWriter.write(client, stale, status, t -> client.resource(t).updateStatus());
    assertThat(outcome).isEqualTo(StatusWriter.Outcome.WRITTEN);
    var stored = client.resources(MM1Training.class).inNamespace(Cluster.NS).withName("conflict").get();
    assertThat(stored.getStatus().phase).isEqualTo(TrainingPhase.Pending);
    assertThat(stored.getMetadata().getLabels()).containsEntry("touched", "yes");
  }

  /**
   * A status decided from a spec the user has since edited is not written on the fresh copy: it
   * describes the old spec, and written through JOSDK it would hide the edit's event (a suspend that
   * never took effect, seen in CI). The edit's own reconcile writes the status instead.
   */
  @Test
  void aStatusDecidedFromAnOutdatedSpecIsNotWritten() throws Exception {
    var cluster = simulated.cluster();
    cluster.apply("tiny-pretrain.yaml", "edited", r -> {});
    var stale = cluster.training("edited");
    cluster.editTraining("edited", t -> t.getSpec().suspend = true);
    var status = new dev.mm1.api.v1alpha1.MM1TrainingStatus();
    status.phase = TrainingPhase.Running;
    var outcome = StatusWriter.write(client, stale, status, t -> client.resource(t).updateStatus());
    assertThat(outcome).isEqualTo(StatusWriter.Outcome.SUPERSEDED);
    assertThat(outcome.stored()).isFalse();
    var stored = client.resources(MM1Training.class).inNamespace(Cluster.NS).withName("edited").get();
    assertThat(stored.getStatus() == null ? null : stored.getStatus().phase).isNotEqualTo(TrainingPhase.Running);
  }

  /** Likewise a deletion that began meanwhile (a finalizer holds the resource): its event must reach the cleanup. */
  @Test
  void aStatusWriteDuringADeletionIsNotWritten() throws Exception {
    var cluster = simulated.cluster();
    cluster.apply("tiny-pretrain.yaml", "leaving", r -> {});
    cluster.editTraining("leaving", t -> t.getMetadata().setFinalizers(java.util.List.of("mm1.dev/test-hold")));
    var stale = cluster.training("leaving");
    cluster.client().resources(MM1Training.class).inNamespace(Cluster.NS).withName("leaving").delete(); // the user deletes it
    assertThat(client.resources(MM1Training.class).inNamespace(Cluster.NS).withName("leaving").get().getMetadata()
        .getDeletionTimestamp()).isNotNull();
    var status = new dev.mm1.api.v1alpha1.MM1TrainingStatus();
    status.phase = TrainingPhase.Running;
    assertThat(StatusWriter.write(client, stale, status, t -> client.resource(t).updateStatus()))
        .isEqualTo(StatusWriter.Outcome.SUPERSEDED);
  }
}
