package dev.mm1.operator.training;

import static dev.mm1.operator.Cluster.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mm1.api.ChildNames;
import dev.mm1.api.v1alpha1.MM1Training;
import dev.mm1.api.v1alpha1.MM1TrainingStatus;
import dev.mm1.api.v1alpha1.TrainingPhase;
import dev.mm1.operator.Cluster;
import dev.mm1.operator.Conditions;
import dev.mm1.operator.OperatorSettings;
import dev.mm1.operator.Reasons;
import dev.mm1.operator.SimulatedOperator;
import dev.mm1.operator.simulation.ApiPath;
import dev.mm1.operator.simulation.SimulatedApiServer;
import dev.mm1.operator.simulation.TestingControlPlane;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What users see when something stands in the way, against the simulated cluster: pods the
 * scheduler cannot place, images that cannot be pulled, pods the Job controller cannot create
 * (FailedCreate), a step that stopped moving, a reconcile the API server refused, and the finalizer
 * closing the run in the control plane on delete (or giving up after its deadline). Each is a
 * condition and an event. The operator's clock is moved past deadlines instead of waiting.
 */
class TroubleReportingTest {
  SimulatedOperator simulated;
  Cluster cluster;
  TestingControlPlane controlPlane;

  @BeforeEach
  void start() throws Exception {
    simulated = new SimulatedOperator();
    cluster = simulated.cluster();
    controlPlane = new TestingControlPlane();
    simulated.startOperator(OperatorSettings.defaults().withControlPlane(controlPlane.url(), TestingControlPlane.TOKEN)
        .withProgressInterval(Duration.ofSeconds(1)));
  }

  @AfterEach
  void stop() {
    simulated.close();
    controlPlane.close();
  }

  MM1TrainingStatus status(String name) {
    return cluster.training(name).getStatus();
  }

  Optional<String> readyReason(String name) {
    var training = cluster.training(name);
    return training == null || training.getStatus() == null ? Optional.empty()
        : Conditions.find(training.getStatus().conditions, Reasons.READY).map(c -> c.getReason());
  }

  /** A change the operator's Service informer sees, so the training is reconciled now (after a clock move). */
  void nudge(String name) {
    var service = cluster.client().services().inNamespace(Cluster.NS).withName(ChildNames.service(name));
    service.edit(s -> new ServiceBuilder(s).editMetadata().addToAnnotations("test.mm1.dev/nudge", Long.toString(System.nanoTime())).endMetadata().build());
  }

  @Test
  void anUnschedulableGangIsAConditionAndAnEventUntilANodeFits() throws Exception {
    var job = ChildNames.job("no-gpu", 1);
    simulated.simulation().unschedulable(job, "0/3 nodes are available: 3 Insufficient nvidia.com/gpu.");
    cluster.apply("tiny-pretrain.yaml", "no-gpu", r -> {});
    eventually(() -> {
      var ready = Conditions.find(status("no-gpu").conditions, Reasons.READY).orElseThrow();
      assertThat(ready.getReason()).isEqualTo(Reasons.UNSCHEDULABLE);
      assertThat(ready.getMessage()).contains("cannot be scheduled").contains("Insufficient nvidia.com/gpu");
      assertThat(status("no-gpu").phase).isEqualTo(TrainingPhase.Pending);
    });
    eventually(() -> assertThat(cluster.events("no-gpu")).anySatisfy(e -> {
      assertThat(e.getReason()).isEqualTo(Reasons.UNSCHEDULABLE);
      assertThat(e.getType()).isEqualTo("Warning");
    }));
    simulated.simulation().unschedulable(job, null);
    eventually(() -> assertThat(status("no-gpu").phase).isEqualTo(TrainingPhase.Running));
  }

  @Test
  void anImageThatCannotBePulledIsAConditionAndAnEvent() throws Exception {
    simulated.simulation().imagePullFails(ChildNames.job("no-image", 1), "manifest unknown");
    cluster.apply("tiny-pretrain.yaml", "no-image", r -> {});
    eventually(() -> {
      var ready = Conditions.find(status("no-image").conditions, Reasons.READY).orElseThrow();
      assertThat(ready.getReason()).isEqualTo(Reasons.IMAGE_PULL_FAILED);
      assertThat(ready.getMessage()).contains("cannot pull image").contains("manifest unknown");
    });
    eventually(() -> assertThat(cluster.events("no-image")).anySatisfy(e -> assertThat(e.getReason()).isEqualTo(Reasons.IMAGE_PULL_FAILED)));
    // ErrImagePull first, then the kubelet's back-off: the condition follows it.
    eventually(() -> assertThat(Conditions.find(status("no-image").conditions, Reasons.READY).orElseThrow().getMessage())
        .contains("ImagePullBackOff"));
  }

  @Test
  void podsTheJobControllerCannotCreateAreAConditionFromItsFailedCreateEvent() throws Exception {
    var job = ChildNames.job("over-quota", 1);
    SimulatedApiServer.Admission quota = (request, store) -> {
      var path = ApiPath.parse(request.path());
      return request.method().equals("POST") && path.isPresent() && path.get().resource().equals("pods") && request.bodyText().contains(job)
          ? Optional.of(new SimulatedApiServer.Refusal(403, "Forbidden",
              "pods \"" + job + "-0\" is forbidden: exceeded quota: compute, requested: cpu=1, used: cpu=8, limited: cpu=8"))
          : Optional.empty();
    };
    simulated.simulation().apiServer().admit(quota);
    cluster.apply("tiny-pretrain.yaml", "over-quota", r -> {});
    eventually(() -> assertThat(cluster.events(job)).anySatisfy(e -> assertThat(e.getReason()).isEqualTo("FailedCreate")));
    // The operator looks for FailedCreate once the pods are late by PodProblems.CREATE_GRACE.
    simulated.advanceClock(Duration.ofSeconds(30));
    nudge("over-quota");
    eventually(() -> {
      var ready = Conditions.find(status("over-quota").conditions, Reasons.READY).orElseThrow();
      assertThat(ready.getReason()).isEqualTo(Reasons.POD_CREATE_FAILED);
      assertThat(ready.getMessage()).contains("0 of 2 worker pods exist").contains("exceeded quota");
    });
    eventually(() -> assertThat(cluster.events("over-quota")).anySatisfy(e -> assertThat(e.getReason()).isEqualTo(Reasons.POD_CREATE_FAILED)));
    simulated.simulation().apiServer().removeAdmission(quota);
    eventually(() -> assertThat(status("over-quota").phase).isEqualTo(TrainingPhase.Running));
  }

  @Test
  void aStepThatStopsMovingForTheDeadlineIsStalled() throws Exception {
    cluster.apply("tiny-pretrain.yaml", "stuck", r -> GangRestartTest.spec(r, "failurePolicy").put("progressDeadlineSeconds", 600));
    cluster.awaitRunning(ChildNames.job("stuck", 1));
    eventually(() -> assertThat(status("stuck").runId).isNotNull());
    controlPlane.progress(status("stuck").runId, 40, 3.1, null);
    eventually(() -> {
      assertThat(status("stuck").step).isEqualTo(40L);
      var progressing = Conditions.find(status("stuck").conditions, Reasons.PROGRESSING).orElseThrow();
      assertThat(progressing.getStatus()).isEqualTo("True");
      assertThat(progressing.getReason()).isEqualTo(Reasons.STEP_ADVANCING);
    });
    simulated.advanceClock(Duration.ofSeconds(700));
    nudge("stuck");
    eventually(() -> {
      var progressing = Conditions.find(status("stuck").conditions, Reasons.PROGRESSING).orElseThrow();
      assertThat(progressing.getStatus()).isEqualTo("False");
      assertThat(progressing.getReason()).isEqualTo(Reasons.STALLED);
      assertThat(progressing.getMessage()).contains("step 40").contains("progressDeadlineSeconds=600");
    });
    eventually(() -> assertThat(cluster.events("stuck")).anySatisfy(e -> {
      assertThat(e.getReason()).isEqualTo(Reasons.STALLED);
      assertThat(e.getType()).isEqualTo("Warning");
    }));
    // A stall is reported, not acted on: the gang keeps running. When the step moves, it progresses again.
    assertThat(status("stuck").phase).isEqualTo(TrainingPhase.Running);
    controlPlane.progress(status("stuck").runId, 41, 3.0, null);
    eventually(() -> assertThat(Conditions.find(status("stuck").conditions, Reasons.PROGRESSING).orElseThrow().getStatus()).isEqualTo("True"));
  }

  @Test
  void aReconcileTheApiServerRefusesReachesStatusAndAnEvent() throws Exception {
    SimulatedApiServer.Admission webhook = (request, store) -> {
      var path = ApiPath.parse(request.path());
      return request.method().equals("POST") && path.isPresent() && path.get().resource().equals("configmaps")
          && request.bodyText().contains(ChildNames.config("refused"))
          ? Optional.of(new SimulatedApiServer.Refusal(403, "Forbidden",
              "admission webhook \"labels.example.com\" denied the request: configmaps need a cost-center label"))
          : Optional.empty();
    };
    simulated.simulation().apiServer().admit(webhook);
    cluster.apply("tiny-pretrain.yaml", "refused", r -> {});
    eventually(() -> {
      var reconciled = Conditions.find(status("refused").conditions, Reasons.RECONCILED).orElseThrow();
      assertThat(reconciled.getStatus()).isEqualTo("False");
      assertThat(reconciled.getReason()).isEqualTo(Reasons.RECONCILE_ERROR);
      assertThat(reconciled.getMessage()).contains("labels.example.com").contains("cost-center");
    });
    eventually(() -> assertThat(cluster.events("refused")).anySatisfy(e -> {
      assertThat(e.getReason()).isEqualTo(Reasons.RECONCILE_ERROR);
      assertThat(e.getType()).isEqualTo("Warning");
    }));
    assertThat(cluster.jobs("refused")).isEmpty();
    simulated.simulation().apiServer().removeAdmission(webhook);
    eventually(() -> {
      assertThat(Conditions.isTrue(status("refused").conditions, Reasons.RECONCILED)).isTrue();
      assertThat(cluster.jobs("refused")).hasSize(1);
    });
  }

  @Test
  void deletingATrainingClosesItsRunInTheControlPlane() throws Exception {
    cluster.apply("tiny-pretrain.yaml", "deleted", r -> {});
    eventually(() -> assertThat(status("deleted").runId).isNotNull());
    var runId = status("deleted").runId;
    cluster.client().resources(MM1Training.class).inNamespace(Cluster.NS).withName("deleted").delete();
    eventually(() -> assertThat(cluster.training("deleted")).isNull());
    assertThat(controlPlane.transitions()).contains(runId + " Cancelled Deleted");
    // The garbage collector takes the children with it.
    eventually(() -> {
      assertThat(cluster.jobs("deleted")).isEmpty();
      assertThat(cluster.podsOf("deleted")).isEmpty();
      assertThat(cluster.configMaps("deleted")).isEmpty();
    });
  }

  @Test
  void theFinalizerGivesUpOnAControlPlaneThatStaysDownAfterItsDeadline() throws Exception {
    cluster.apply("tiny-pretrain.yaml", "orphan", r -> {});
    eventually(() -> assertThat(status("orphan").runId).isNotNull());
    var runId = status("orphan").runId;
    controlPlane.down(true);
    cluster.client().resources(MM1Training.class).inNamespace(Cluster.NS).withName("orphan").delete();
    eventually(() -> assertThat(cluster.training("orphan").getMetadata().getDeletionTimestamp()).isNotNull());
    // The finalizer holds the training while it retries the close.
    Thread.sleep(2000);
    assertThat(cluster.training("orphan")).isNotNull();
    simulated.advanceClock(Duration.ofMinutes(3));
    eventually(() -> assertThat(cluster.training("orphan")).isNull());
    eventually(() -> assertThat(cluster.events("orphan")).anySatisfy(e -> {
      assertThat(e.getReason()).isEqualTo(Reasons.RUN_NOT_CLOSED);
      assertThat(e.getMessage()).contains(runId).contains("503");
    }));
    assertThat(controlPlane.transitions()).noneMatch(t -> t.startsWith(runId + " Cancelled"));
  }
}
