package dev.mm1.operator.training;

import static dev.mm1.operator.Cluster.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mm1.api.ChildNames;
import dev.mm1.api.ExitCodes;
import dev.mm1.api.v1alpha1.MM1TrainingStatus;
import dev.mm1.api.v1alpha1.TrainingPhase;
import dev.mm1.operator.Cluster;
import dev.mm1.operator.Conditions;
import dev.mm1.operator.Labels;
import dev.mm1.operator.Reasons;
import dev.mm1.operator.SimulatedOperator;
import dev.mm1.operator.simulation.SimulatedApiServer;
import dev.mm1.operator.simulation.SimulatedCluster;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Gang restarts against the simulated cluster (Job controller, kubelet, garbage collector acting in
 * their real order): restarts never overlap, the exit-code verdict does not depend on which event
 * the operator sees first, disruptions do not use up maxRestarts, the cause is the first failed
 * worker, terminal phases are sticky, invalid edits keep suspend and maxRestarts, and a 409 adopts
 * only the training's own children.
 */
class GangRestartTest {
  /** A finalizer of some other controller, which keeps a pod after its Job let it go. */
  static final String KEEP = "example.com/keep";
  SimulatedOperator simulated;
  Cluster cluster;

  /** The paths the operator POSTed to. */
  final List<String> creates = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    simulated = new SimulatedOperator();
    cluster = simulated.cluster();
    simulated.simulation().apiServer().observe(request -> {
      if (request.method().equals("POST") && !SimulatedCluster.USER_AGENT.equals(request.userAgent())) {
        creates.add(request.path().replaceAll("\\?.*", ""));
      }
    });
  }

  @AfterEach
  void stop() {
    simulated.close();
  }

  MM1TrainingStatus status(String name) {
    return cluster.training(name).getStatus();
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> spec(GenericKubernetesResource r, String field) {
    var spec = (Map<String, Object>) r.getAdditionalProperties().get("spec");
    return (Map<String, Object>) spec.get(field);
  }

  static void maxRestarts(GenericKubernetesResource r, int restarts) {
    spec(r, "failurePolicy").put("maxRestarts", restarts);
  }

  @Test
  void theNextGangStartsOnlyWhenEveryPodOfThePreviousOneIsGone() throws Exception {
    simulated.startOperator();
    var first = ChildNames.job("overlap", 1);
    // The surviving worker takes 5 s to stop after SIGTERM: attempt 2 must wait for it.
    simulated.simulation().stopDelay(first, Duration.ofSeconds(5));
    cluster.apply("tiny-pretrain.yaml", "overlap", r -> {});
    cluster.awaitRunning(first);
    cluster.failWorker(first, 1, 1);
    eventually(() -> {
      assertThat(status("overlap").attempt).isEqualTo(2);
      assertThat(Conditions.find(status("overlap").conditions, Reasons.READY).orElseThrow().getReason())
          .isEqualTo(Reasons.WAITING_FOR_PREVIOUS_GANG);
    });
    eventually(() -> {
      assertThat(cluster.jobs("overlap")).extracting(j -> j.getMetadata().getName()).containsExactly(ChildNames.job("overlap", 2));
      assertThat(cluster.pods(ChildNames.job("overlap", 2))).hasSize(2);
      assertThat(cluster.pods(first)).isEmpty();
    });
    cluster.awaitRunning(ChildNames.job("overlap", 2));
    // The API server saw every Job creation: none while a pod of an earlier attempt existed.
    assertThat(simulated.simulation().gangOverlaps()).isEmpty();
    assertThat(status("overlap").restarts).isEqualTo(1);
  }

  /**
   * The Job's PodFailurePolicy condition and the pod's exit code reach the operator in either order
   * (one watch lags), or the Job fails before its pods terminated (Job controllers before 1.31): the
   * verdict is the same, a non-retryable failure with no restart.
   */
  @ParameterizedTest
  @ValueSource(strings = {"pods", "jobs", "legacy"})
  void aNonRetryableExitFailsTheTrainingWhateverTheEventOrder(String order) throws Exception {
    switch (order) {
      case "legacy" -> simulated.simulation().failJobsBeforePodsTerminate(true);
      default -> simulated.simulation().apiServer().lagWatches(order, Duration.ofSeconds(2));
    }
    simulated.startOperator();
    var job = ChildNames.job("diverged", 1);
    cluster.apply("tiny-pretrain.yaml", "diverged", r -> {});
    cluster.awaitRunning(job);
    cluster.failWorker(job, 1, ExitCodes.DIVERGED);
    eventually(() -> {
      var status = status("diverged");
      assertThat(status.phase).isEqualTo(TrainingPhase.Failed);
      assertThat(Conditions.find(status.conditions, Reasons.READY).orElseThrow().getReason()).isEqualTo(Reasons.NON_RETRYABLE_EXIT);
      assertThat(Conditions.isTrue(status.conditions, Reasons.FAILED)).isTrue();
    });
    // The Job controller's podFailurePolicy failed the Job for the same code.
    eventually(() -> assertThat(cluster.job(job).getStatus().getConditions())
        .anySatisfy(c -> {
          assertThat(c.getType()).isEqualTo("Failed");
          assertThat(c.getReason()).isEqualTo("PodFailurePolicy");
        }));
    assertThat(status("diverged").restarts).isZero();
    assertThat(status("diverged").attempt).isEqualTo(1);
    assertThat(cluster.jobs("diverged")).extracting(j -> j.getMetadata().getName()).containsExactly(job);
  }

  @Test
  void aDisruptionRestartsTheGangWithoutUsingUpMaxRestarts() throws Exception {
    simulated.startOperator();
    var first = ChildNames.job("preempted", 1);
    cluster.apply("tiny-pretrain.yaml", "preempted", r -> maxRestarts(r, 0));
    cluster.awaitRunning(first);
    simulated.simulation().disrupt(first, 0, "PreemptionByScheduler");
    eventually(() -> {
      assertThat(cluster.jobs("preempted")).extracting(j -> j.getMetadata().getName()).containsExactly(ChildNames.job("preempted", 2));
      var status = status("preempted");
      assertThat(status.restarts).isZero();
      assertThat(status.disruptions).isEqualTo(1);
      assertThat(status.phase).isNotEqualTo(TrainingPhase.Failed);
    });
    eventually(() -> assertThat(cluster.events("preempted")).anySatisfy(e -> {
      assertThat(e.getReason()).isEqualTo(Reasons.DISRUPTED);
      assertThat(e.getMessage()).contains("PreemptionByScheduler");
    }));
    // The Job controller ignored the disrupted pod too (podFailurePolicy Ignore on DisruptionTarget).
    cluster.awaitRunning(ChildNames.job("preempted", 2));
    assertThat(simulated.simulation().gangOverlaps()).isEmpty();
  }

  /**
   * Worker 1 runs out of memory; the Job controller then kills worker 0 (exit 143). The operator
   * sees both failed pods at once (it was down meanwhile, and a finalizer of someone else keeps the
   * killed pod): the cause is worker 1, not the sibling with the lower index that ended a moment later.
   */
  @Test
  void theCauseIsTheWorkerThatFailedFirstNotTheSiblingTheJobControllerKilled() throws Exception {
    simulated.startOperator();
    var first = ChildNames.job("oom", 1);
    cluster.apply("tiny-pretrain.yaml", "oom", r -> {});
    cluster.awaitRunning(first);
    eventually(() -> assertThat(status("oom").phase).isEqualTo(TrainingPhase.Running));
    simulated.stopOperator();
    for (var pod : cluster.pods(first)) {
      cluster.editPod(pod.getMetadata().getName(), p -> new PodBuilder(p).editMetadata().addToFinalizers(KEEP).endMetadata().build());
    }
    cluster.failWorker(first, 1, 137);
    eventually(() -> {
      assertThat(cluster.job(first).getStatus().getConditions()).anySatisfy(c -> assertThat(c.getType()).isEqualTo("Failed"));
      assertThat(cluster.pods(first)).hasSize(2).allSatisfy(p -> assertThat(p.getStatus().getPhase()).isEqualTo("Failed"));
    });
    var sibling = cluster.pods(first).stream().filter(p -> p.getMetadata().getName().startsWith(first + "-0-")).findFirst().orElseThrow();
    assertThat(sibling.getStatus().getContainerStatuses().getFirst().getState().getTerminated().getExitCode()).isEqualTo(143);

    simulated.startOperator();
    eventually(() -> assertThat(status("oom").restarts).isEqualTo(1));
    eventually(() -> assertThat(cluster.events("oom")).filteredOn(e -> e.getReason().equals(Reasons.GANG_RESTARTED)).singleElement()
        .satisfies(e -> assertThat(e.getMessage()).contains("worker " + first + "-1-").contains("exited with code 137 (OOMKilled)")
            .doesNotContain("143")));
    // The next gang waits for the kept pods.
    assertThat(cluster.jobs("oom")).extracting(j -> j.getMetadata().getName()).doesNotContain(ChildNames.job("oom", 2));
    for (var pod : cluster.pods(first)) {
      cluster.editPod(pod.getMetadata().getName(), p -> new PodBuilder(p).editMetadata().removeFromFinalizers(KEEP).endMetadata().build());
    }
    cluster.awaitRunning(ChildNames.job("oom", 2));
    assertThat(simulated.simulation().gangOverlaps()).isEmpty();
  }

  @Test
  void anEditAfterSucceededOrFailedNeverRunsTheTrainingAgain() throws Exception {
    simulated.startOperator();
    cluster.apply("tiny-pretrain.yaml", "done", r -> {});
    cluster.awaitRunning(ChildNames.job("done", 1));
    cluster.completeJob(ChildNames.job("done", 1));
    eventually(() -> assertThat(status("done").phase).isEqualTo(TrainingPhase.Succeeded));
    cluster.apply("tiny-pretrain.yaml", "broken", r -> maxRestarts(r, 0));
    cluster.awaitRunning(ChildNames.job("broken", 1));
    cluster.failWorker(ChildNames.job("broken", 1), 0, 1);
    eventually(() -> assertThat(status("broken").phase).isEqualTo(TrainingPhase.Failed));

    // A user raises maxRestarts and resumes, or edits what cannot change: nothing runs again.
    for (var name : new String[] {"done", "broken"}) {
      cluster.editTraining(name, t -> {
        t.getSpec().failurePolicy.maxRestarts = 5;
        t.getSpec().optimization.learningRate = 0.5;
        t.getSpec().suspend = false;
      });
      eventually(() -> {
        var status = status(name);
        assertThat(status.observedGeneration).isEqualTo(2L);
        assertThat(Conditions.find(status.conditions, Reasons.SPEC_ACCEPTED).orElseThrow().getReason()).isEqualTo(Reasons.FINISHED);
      });
    }
    assertThat(status("done").phase).isEqualTo(TrainingPhase.Succeeded);
    assertThat(status("broken").phase).isEqualTo(TrainingPhase.Failed);
    assertThat(cluster.jobs("done")).extracting(j -> j.getMetadata().getName()).containsExactly(ChildNames.job("done", 1));
    assertThat(cluster.jobs("broken")).extracting(j -> j.getMetadata().getName()).containsExactly(ChildNames.job("broken", 1));
    assertThat(status("broken").attempt).isEqualTo(1);
  }

  @Test
  void anInvalidEditKeepsMaxRestartsAndSuspend() throws Exception {
    simulated.startOperator();
    // maxRestarts 0 differs from the Java default (3): were it lost, the failure below would restart.
    cluster.apply("tiny-pretrain.yaml", "strict", r -> maxRestarts(r, 0));
    cluster.awaitRunning(ChildNames.job("strict", 1));
    cluster.editTraining("strict", t -> t.getSpec().image = "ghcr.io/MM1/Trainer:latest");
    eventually(() -> assertThat(Conditions.find(status("strict").conditions, Reasons.SPEC_ACCEPTED).orElseThrow().getReason())
        .isEqualTo(Reasons.INVALID_SPEC));
    cluster.failWorker(ChildNames.job("strict", 1), 0, 1);
    eventually(() -> {
      assertThat(status("strict").phase).isEqualTo(TrainingPhase.Failed);
      assertThat(Conditions.find(status("strict").conditions, Reasons.READY).orElseThrow().getReason()).isEqualTo(Reasons.RESTARTS_EXHAUSTED);
    });

    cluster.apply("tiny-pretrain.yaml", "paused", r -> {});
    cluster.awaitRunning(ChildNames.job("paused", 1));
    cluster.editTraining("paused", t -> t.getSpec().suspend = true);
    eventually(() -> {
      assertThat(status("paused").phase).isEqualTo(TrainingPhase.Suspended);
      assertThat(cluster.jobs("paused")).isEmpty();
    });
    cluster.editTraining("paused", t -> t.getSpec().image = "ghcr.io/MM1/Trainer:latest");
    eventually(() -> {
      assertThat(status("paused").observedGeneration).isEqualTo(3L);
      assertThat(Conditions.find(status("paused").conditions, Reasons.SPEC_ACCEPTED).orElseThrow().getReason()).isEqualTo(Reasons.INVALID_SPEC);
    });
    assertThat(status("paused").phase).isEqualTo(TrainingPhase.Suspended);
    assertThat(cluster.jobs("paused")).isEmpty();
  }

  /** A 409 on create adopts only the training's own child (OperatorRestartTest); anything else is a condition. */
  @Test
  void aNameTakenByAnotherObjectIsAConditionAndTheObjectIsLeftAlone() throws Exception {
    // Someone else's ConfigMap has the name the training's would get.
    cluster.client().configMaps().inNamespace(Cluster.NS).resource(new ConfigMapBuilder()
        .withNewMetadata().withName(ChildNames.config("taken")).withNamespace(Cluster.NS).endMetadata()
        .addToData("owner", "someone else").build()).create();
    // A Job that looks like ours by its labels but belongs to no training of this UID (a copy, a leftover).
    var lookalike = new JobBuilder().withNewMetadata().withName(ChildNames.job("lookalike", 1)).withNamespace(Cluster.NS)
        .addToLabels(Labels.PARENT_NAME, "lookalike").addToLabels(Labels.PARENT_KIND, "MM1Training")
        .addToLabels(Labels.PARENT_UID, "00000000-0000-0000-0000-00000000beef").endMetadata()
        .withNewSpec().withCompletions(1).withParallelism(1).withCompletionMode("Indexed").withNewTemplate().withNewSpec()
        .addNewContainer().withName("main").withImage("busybox").endContainer().withRestartPolicy("Never").endSpec().endTemplate().endSpec().build();
    cluster.client().resource(lookalike).create();
    simulated.startOperator();
    cluster.apply("tiny-pretrain.yaml", "taken", r -> {});
    cluster.apply("tiny-pretrain.yaml", "lookalike", r -> {});
    eventually(() -> {
      var ready = Conditions.find(status("taken").conditions, Reasons.READY).orElseThrow();
      assertThat(ready.getReason()).isEqualTo(Reasons.CHILD_NAME_TAKEN);
      assertThat(ready.getMessage()).contains("ConfigMap " + ChildNames.config("taken"));
      var other = Conditions.find(status("lookalike").conditions, Reasons.READY).orElseThrow();
      assertThat(other.getReason()).isEqualTo(Reasons.CHILD_NAME_TAKEN);
      assertThat(other.getMessage()).contains("Job " + ChildNames.job("lookalike", 1));
    });
    assertThat(cluster.jobs("taken")).isEmpty();
    var foreign = cluster.client().configMaps().inNamespace(Cluster.NS).withName(ChildNames.config("taken")).get();
    assertThat(foreign.getData()).containsExactly(Map.entry("owner", "someone else"));
    assertThat(foreign.getMetadata().getOwnerReferences()).isNullOrEmpty();
    var job = cluster.job(ChildNames.job("lookalike", 1));
    assertThat(job.getMetadata().getUid()).isEqualTo(cluster.client().resource(lookalike).get().getMetadata().getUid());
    assertThat(job.getMetadata().getOwnerReferences()).isNullOrEmpty();
    assertThat(job.getMetadata().getDeletionTimestamp()).isNull();
  }

  /**
   * The operator's create of the Job was done, but the answer was lost (a gateway timeout) and the
   * Job watch runs behind: the retried create (Fabric8 retries a 504) meets a 409 and adopts the
   * Job, which is its own.
   */
  @Test
  void aConflictOnCreateAdoptsTheTrainingsOwnJob() throws Exception {
    var job = ChildNames.job("lost", 1);
    simulated.simulation().apiServer().lagWatches("jobs", Duration.ofSeconds(6));
    simulated.simulation().apiServer().loseAnswerOnce(
        request -> request.method().equals("POST") && request.path().contains("/jobs") && request.bodyText().contains("\"" + job + "\""),
        new SimulatedApiServer.Refusal(504, "Timeout", "the server was unable to return a response in the time allotted"));
    simulated.startOperator();
    cluster.apply("tiny-pretrain.yaml", "lost", r -> {});
    eventually(() -> {
      assertThat(status("lost").phase).isEqualTo(TrainingPhase.Running);
      assertThat(Conditions.isTrue(status("lost").conditions, Reasons.RECONCILED)).isTrue();
    });
    assertThat(cluster.jobs("lost")).extracting(j -> j.getMetadata().getName()).containsExactly(job);
    assertThat(cluster.events("lost")).noneSatisfy(e -> assertThat(e.getReason()).isEqualTo(Reasons.CHILD_NAME_TAKEN));
    // The 409 really happened: the operator sent the create again (once more per reconcile until its cache has the Job).
    assertThat(creates.stream().filter(p -> p.endsWith("/jobs")).count()).isGreaterThanOrEqualTo(2);
  }
}
