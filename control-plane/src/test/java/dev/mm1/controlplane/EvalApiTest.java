package dev.mm1.controlplane;

import static dev.mm1.controlplane.Api.admin;
import static dev.mm1.controlplane.Api.as;
import static dev.mm1.controlplane.Api.token;
import static dev.mm1.controlplane.Api.training;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.mm1.api.v1alpha1.MM1Eval;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code POST /api/v1/evals} creates an MM1Eval in the (mock) Kubernetes API and registers its run. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class EvalApiTest {
  @Inject KubernetesClient kubernetes;

  private static Map<String, Object> spec(String fromTraining) {
    return Map.of("checkpoint", Map.of("fromTraining", fromTraining, "step", "latest"),
        "benchmarks", List.of(Map.of("name", "coco", "task", "Captioning", "shots", List.of(0, 4))));
  }

  @Test
  void createsTheCustomResourceAndItsRun() {
    String trainingId = training("eval-source", null);
    String ci = token(null, "evals");
    String runId = as(ci).body(Map.of("name", "eval-source-ci-1", "namespace", "team-a", "spec", spec("eval-source")))
        .post("/api/v1/evals").then().statusCode(201)
        .body("kind", equalTo("Eval")).body("parentRunId", equalTo(trainingId)).body("state", equalTo("Pending"))
        .extract().path("id");

    MM1Eval created = kubernetes.resources(MM1Eval.class).inNamespace("team-a").withName("eval-source-ci-1").get();
    assertThat(created).isNotNull();
    assertThat(created.getSpec().checkpoint.fromTraining).isEqualTo("eval-source");
    assertThat(created.getSpec().benchmarks.getFirst().shots).containsExactly(0, 4);
    // The operator registers the CR by its UID and gets the same run back.
    admin().body(Map.of("name", "eval-source-ci-1", "namespace", "team-a", "kind", "Eval",
            "externalId", created.getMetadata().getUid()))
        .post("/api/v1/runs").then().statusCode(200).body("id", equalTo(runId));

    as(ci).body(Map.of("name", "eval-source-ci-1", "namespace", "team-a", "spec", spec("eval-source")))
        .post("/api/v1/evals").then().statusCode(409).body("detail", containsString("already exists"));
  }

  @Test
  void rejectsBadRequestsBeforeCreatingAnything() {
    String ci = token(null, "evals");
    as(ci).body(Map.of("namespace", "team-a", "spec", spec("no-such-training"))).post("/api/v1/evals")
        .then().statusCode(400).body("detail", containsString("spec.checkpoint.fromTraining: no training named 'no-such-training'"));
    as(ci).body(Map.of("namespace", "team-a", "spec", Map.of("checkpoint", Map.of("uri", "file:/c"), "benchmarks", List.of())))
        .post("/api/v1/evals").then().statusCode(400).body("detail", containsString("spec.benchmarks"));
    as(ci).body(Map.of("namespace", "team-a", "spec", Map.of("checkpoint", Map.of(), "benchmarks", List.of())))
        .post("/api/v1/evals").then().statusCode(400).body("detail", containsString("set exactly one of fromTraining or uri"));
    as(ci).body(Map.of("namespace", "team-a")).post("/api/v1/evals").then().statusCode(400)
        .body("detail", containsString("spec is required"));
    as(token(null, "read")).body(Map.of("namespace", "team-a", "spec", spec("x"))).post("/api/v1/evals")
        .then().statusCode(403).body("detail", containsString("scope 'evals'"));
    assertThat(kubernetes.resources(MM1Eval.class).inNamespace("team-a").list().getItems())
        .noneMatch(e -> e.getSpec().checkpoint.fromTraining != null && e.getSpec().checkpoint.fromTraining.equals("no-such-training"));
  }
}
