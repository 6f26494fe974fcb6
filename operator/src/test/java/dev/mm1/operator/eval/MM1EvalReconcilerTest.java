package dev.mm1.operator.eval;

import static dev.mm1.operator.Cluster.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mm1.api.PodEnv;
import dev.mm1.api.rest.CheckpointRecord;
import dev.mm1.api.rest.EvalResultRecord;
import dev.mm1.api.v1alpha1.EvalPhase;
import dev.mm1.api.v1alpha1.MM1Eval;
import dev.mm1.api.ChildNames;
import dev.mm1.operator.Cluster;
import dev.mm1.operator.SimulatedClusterResource;
import dev.mm1.operator.Conditions;
import dev.mm1.operator.ControlPlaneResource;
import dev.mm1.operator.Reasons;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(SimulatedClusterResource.class)
@QuarkusTestResource(ControlPlaneResource.class)
class MM1EvalReconcilerTest {
  final KubernetesClient client = SimulatedClusterResource.cluster().client();

  MM1Eval eval(String name) {
    return client.resources(MM1Eval.class).inNamespace(Cluster.NS).withName(name).get();
  }

  Job evaluator(String name) {
    return client.batch().v1().jobs().inNamespace(Cluster.NS).withName(ChildNames.evaluatorJob(name)).get();
  }

  @SuppressWarnings("unchecked")
  static void pointAt(GenericKubernetesResource eval, String training, boolean withGate) {
    var spec = (Map<String, Object>) eval.getAdditionalProperties().get("spec");
    spec.put("checkpoint", Map.of("fromTraining", training, "step", "latest"));
    if (!withGate) {
      spec.remove("gate");
    } else {
      ((Map<String, Object>) spec.get("gate")).remove("baselineEval");
      ((Map<String, Object>) spec.get("gate")).remove("maxRegression");
    }
  }

  @Test
  void evaluatesTheTrainingsLatestCheckpointAndMirrorsResultsAndGate() throws Exception {
    var cluster = new Cluster(SimulatedClusterResource.cluster());
    var controlPlane = ControlPlaneResource.controlPlane();
    cluster.apply("tiny-pretrain.yaml", "evaluated", r -> {});
    cluster.apply("tiny-eval.yaml", "eval-latest", r -> pointAt(r, "evaluated", true));
    eventually(() -> {
      var status = eval("eval-latest").getStatus();
      assertThat(status.phase).isEqualTo(EvalPhase.Waiting);
      assertThat(Conditions.find(status.conditions, Reasons.CHECKPOINT_RESOLVED).orElseThrow().getReason()).isEqualTo(Reasons.WAITING_FOR_CHECKPOINT);
    });
    assertThat(evaluator("eval-latest")).isNull();

    eventually(() -> assertThat(cluster.training("evaluated").getStatus().runId).isNotNull());
    var trainingRun = cluster.training("evaluated").getStatus().runId;
    controlPlane.progress(trainingRun, 300, 1.9, new CheckpointRecord(300, "file:///checkpoints/step-000000300", "cafe", 42, null));
    // The training mirrors the checkpoint at its next progress poll; the eval then resolves it.
    eventually(() -> {
      var job = evaluator("eval-latest");
      assertThat(job).isNotNull();
      assertThat(eval("eval-latest").getStatus().checkpoint.step).isEqualTo(300L);
      assertThat(eval("eval-latest").getStatus().phase).isEqualTo(EvalPhase.Running);
    });
    var env = evaluator("eval-latest").getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
    assertThat(env).anySatisfy(e -> {
      assertThat(e.getName()).isEqualTo(PodEnv.MM1_RUN_ID);
      // The run's id, or the eval's UID when the Job was made before registration (the control plane resolves both).
      assertThat(e.getValue()).isIn(eval("eval-latest").getStatus().runId, eval("eval-latest").getMetadata().getUid());
    });
    assertThat(controlPlane.runOf(eval("eval-latest").getMetadata().getUid()).parentRunId()).isEqualTo(trainingRun);

    var evalRun = eval("eval-latest").getStatus().runId;
    controlPlane.results(evalRun, List.of(
        new EvalResultRecord("shapes-captions", "shapes-coco-test", 0, "cider-d", 72.5, 200, 300L),
        new EvalResultRecord("shapes-vqa", "shapes-vqav2-test", 0, "vqa-accuracy", 25.0, 300, 300L)));
    cluster.awaitRunning(ChildNames.evaluatorJob("eval-latest"));
    cluster.completeJob(ChildNames.evaluatorJob("eval-latest"));
    eventually(() -> {
      var status = eval("eval-latest").getStatus();
      // The gate failed: the phase and the Job-style Failed condition say so, the results are kept.
      assertThat(status.phase).isEqualTo(EvalPhase.GateFailed);
      assertThat(Conditions.find(status.conditions, Reasons.FAILED).orElseThrow().getReason()).isEqualTo(Reasons.GATE_FAILED);
      assertThat(status.results).hasSize(2);
      assertThat(status.gate.passed).isFalse();
      assertThat(status.gate.failures).singleElement().asString().contains("shapes-vqa 0-shot").contains("below the minimum 38.00");
      assertThat(status.completionTime).isNotNull();
    });
    // Events follow the status write.
    eventually(() -> assertThat(cluster.events("eval-latest")).extracting(e -> e.getReason()).contains(Reasons.GATE_FAILED));
  }

  @Test
  void aFailedEvaluatorFailsTheEval() throws Exception {
    var cluster = new Cluster(SimulatedClusterResource.cluster());
    cluster.apply("tiny-eval.yaml", "eval-uri", r -> {
      @SuppressWarnings("unchecked")
      var spec = (Map<String, Object>) r.getAdditionalProperties().get("spec");
      spec.put("checkpoint", Map.of("uri", "file:///shared/ckpt/step-000000100"));
      spec.remove("gate");
    });
    eventually(() -> assertThat(evaluator("eval-uri")).isNotNull());
    var job = evaluator("eval-uri");
    assertThat(job.getSpec().getTemplate().getSpec().getVolumes()).filteredOn(v -> v.getHostPath() != null)
        .singleElement().satisfies(v -> assertThat(v.getHostPath().getPath()).isEqualTo("/shared/ckpt"));
    cluster.awaitRunning(ChildNames.evaluatorJob("eval-uri"));
    cluster.failWorker(ChildNames.evaluatorJob("eval-uri"), 0, 1);
    eventually(() -> {
      var status = eval("eval-uri").getStatus();
      assertThat(status.phase).isEqualTo(EvalPhase.Failed);
      assertThat(Conditions.find(status.conditions, Reasons.READY).orElseThrow().getReason()).isEqualTo(Reasons.EVALUATOR_FAILED);
    });
  }
}
