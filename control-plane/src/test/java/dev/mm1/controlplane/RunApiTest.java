package dev.mm1.controlplane;

import static dev.mm1.controlplane.Api.admin;
import static dev.mm1.controlplane.Api.as;
import static dev.mm1.controlplane.Api.point;
import static dev.mm1.controlplane.Api.sha;
import static dev.mm1.controlplane.Api.token;
import static dev.mm1.controlplane.Api.training;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Runs, state, checkpoints, results, lineage and the errors of each, against a real PostgreSQL. */
@QuarkusTest
@QuarkusTestResource(EmbeddedPostgresResource.class)
@WithKubernetesTestServer(crud = true)
class RunApiTest {

  @Test
  void registrationIsIdempotentOnExternalId() {
    String externalId = UUID.randomUUID().toString();
    Map<String, Object> body = Map.of("name", "pretrain-a", "namespace", "team-a", "kind", "Training",
        "externalId", externalId, "spec", Map.of("optimization", Map.of("steps", 500)));
    String id = admin().body(body).post("/api/v1/runs").then().statusCode(201)
        .body("state", equalTo("Pending")).body("spec.optimization.steps", equalTo(500)).extract().path("id");
    admin().body(body).post("/api/v1/runs").then().statusCode(200).body("id", equalTo(id));
    admin().body(Map.of("name", "other", "namespace", "team-a", "kind", "Training", "externalId", externalId))
        .post("/api/v1/runs").then().statusCode(409).contentType("application/problem+json")
        .body("detail", containsString("externalId '" + externalId + "' is already registered as run " + id));
    admin().get("/api/v1/runs/" + id).then().statusCode(200).body("name", equalTo("pretrain-a"));
  }

  @Test
  void aRunIsAlsoAddressedByItsExternalId() {
    // Pods the operator created while the control plane was down report under the CR's UID.
    String externalId = UUID.randomUUID().toString();
    String id = admin().body(Map.of("name", "offline", "namespace", "team-a", "kind", "Training", "externalId", externalId))
        .post("/api/v1/runs").then().statusCode(201).extract().path("id");
    admin().get("/api/v1/runs/" + externalId).then().statusCode(200).body("id", equalTo(id));
    admin().body(Map.of("points", List.of(point("loss", 1, 2.5)))).post("/api/v1/runs/" + externalId + "/metrics").then().statusCode(200);
    admin().body(Map.of("state", "Running", "reason", "WorkersReady")).post("/api/v1/runs/" + externalId + "/state").then().statusCode(200);
    admin().get("/api/v1/runs/" + id).then().statusCode(200).body("state", equalTo("Running")).body("step", equalTo(1));
    admin().get("/api/v1/runs/" + UUID.randomUUID()).then().statusCode(404);
  }

  @Test
  void badRegistrationsNameTheField() {
    admin().body(Map.of("name", "Bad Name", "namespace", "ns", "kind", "Training", "externalId", "x1"))
        .post("/api/v1/runs").then().statusCode(400).body("detail", containsString("name: 'Bad Name'"));
    admin().body(Map.of("name", "ok", "namespace", "ns", "externalId", "x2"))
        .post("/api/v1/runs").then().statusCode(400).body("detail", containsString("kind is required"));
    admin().body(Map.of("name", "ok", "namespace", "ns", "kind", "Trainng", "externalId", "x3"))
        .post("/api/v1/runs").then().statusCode(400).contentType("application/problem+json")
        .body("detail", containsString("kind: 'Trainng' is not one of Training, Eval"));
    admin().body(Map.of("name", "ok", "namespace", "ns", "kind", "Training", "externalId", "x4", "parentRunId", "999999"))
        .post("/api/v1/runs").then().statusCode(400).body("detail", containsString("parentRunId: no run with id '999999'"));
    admin().body("{\"name\": \"ok\", ").post("/api/v1/runs").then().statusCode(400)
        .contentType("application/problem+json").body("detail", containsString("malformed JSON"))
        .body("status", equalTo(400)).body("instance", equalTo("/api/v1/runs"));
  }

  @Test
  void unknownRunsAre404Problems() {
    admin().get("/api/v1/runs/987654321").then().statusCode(404).contentType("application/problem+json")
        .body("detail", equalTo("no run with id '987654321'")).body("title", equalTo("Not Found"));
    admin().get("/api/v1/runs/1%20OR%201=1").then().statusCode(404).body("detail", containsString("no run with id"));
    admin().body(Map.of("points", List.of())).post("/api/v1/runs/abc/metrics").then().statusCode(404);
    admin().body(Map.of("points", List.of())).post("/api/v1/runs/987654321/metrics").then().statusCode(404);
    admin().body(Map.of("points", List.of(point("loss", 1, 1.0)))).post("/api/v1/runs/987654321/metrics")
        .then().statusCode(404).body("detail", equalTo("no run with id '987654321'"));
  }

  @Test
  void listFiltersAndInjectionStringsAreHarmless() {
    String id = training("filter-target-run", null);
    admin().get("/api/v1/runs?q=filter-target").then().statusCode(200).body("id", equalTo(List.of(id)));
    admin().get("/api/v1/runs?q=FILTER-TARGET&kind=Training&namespace=team-a&state=Pending")
        .then().statusCode(200).body("id", equalTo(List.of(id)));
    for (String attack : List.of("'; DROP TABLE run; --", "%' OR '1'='1", "\\", "_%_")) {
      admin().queryParam("q", attack).get("/api/v1/runs").then().statusCode(200).body("$", hasSize(0));
      admin().queryParam("namespace", attack).get("/api/v1/runs").then().statusCode(200).body("$", hasSize(0));
    }
    admin().queryParam("q", "\u0000x").get("/api/v1/runs").then().statusCode(400)
        .body("detail", containsString("q: contains a NUL character"));
    admin().queryParam("state", "Running' OR 1=1 --").get("/api/v1/runs").then().statusCode(400)
        .body("detail", containsString("state: 'Running' OR 1=1 --' is not one of"));
    admin().queryParam("parentRunId", "1; DELETE FROM run").get("/api/v1/runs").then().statusCode(400)
        .body("detail", containsString("parentRunId"));
    admin().queryParam("limit", 0).get("/api/v1/runs").then().statusCode(400).body("detail", containsString("limit: 0"));
    admin().get("/api/v1/runs/" + id).then().statusCode(200); // the table is still there
  }

  @Test
  void stateTransitionsAreAuditedAndFinalStatesStay() {
    String id = training("state-run", null);
    admin().body(Map.of("state", "Running", "reason", "PodsReady", "message", "4/4 workers"))
        .post("/api/v1/runs/" + id + "/state").then().statusCode(200).body("state", equalTo("Running"));
    admin().body(Map.of("state", "Succeeded", "reason", "Completed"))
        .post("/api/v1/runs/" + id + "/state").then().statusCode(200).body("state", equalTo("Succeeded"));
    admin().body(Map.of("state", "Running"))
        .post("/api/v1/runs/" + id + "/state").then().statusCode(409)
        .body("detail", containsString("is Succeeded, a final state; it cannot become Running"));
    admin().body(Map.of("state", "Exploded")).post("/api/v1/runs/" + id + "/state").then().statusCode(400)
        .body("detail", containsString("state: 'Exploded' is not one of"));
    admin().body(Map.of("state", "Failed", "reason", "not camel case!")).post("/api/v1/runs/" + id + "/state")
        .then().statusCode(400).body("detail", containsString("reason"));
    admin().get("/api/v1/runs/" + id + "/transitions").then().statusCode(200)
        .body("to", equalTo(List.of("Pending", "Running", "Succeeded")))
        .body("reason", equalTo(List.of("Registered", "PodsReady", "Completed")))
        .body("actor[1]", equalTo("bootstrap-admin"));
  }

  @Test
  void checkpointsRegisterOncePerStep() {
    String id = training("ckpt-run", null);
    Map<String, Object> checkpoint = Map.of("step", 100, "uri", "file:/ckpt/step-000000100", "sha256", sha('a'), "bytes", 1234);
    admin().body(checkpoint).post("/api/v1/runs/" + id + "/checkpoints").then().statusCode(201)
        .body("step", equalTo(100)).body("committedAt", notNullValue());
    admin().body(checkpoint).post("/api/v1/runs/" + id + "/checkpoints").then().statusCode(200);
    admin().body(Map.of("step", 100, "uri", "file:/ckpt/step-000000100", "sha256", sha('b'), "bytes", 1))
        .post("/api/v1/runs/" + id + "/checkpoints").then().statusCode(409).body("detail", containsString("step 100"));
    admin().body(Map.of("step", 200, "uri", "file:/x", "sha256", "XYZ", "bytes", 1))
        .post("/api/v1/runs/" + id + "/checkpoints").then().statusCode(400).body("detail", containsString("sha256: 'XYZ'"));
    admin().body(Map.of("step", 200, "uri", "ftp:/x", "sha256", sha('c'), "bytes", 1))
        .post("/api/v1/runs/" + id + "/checkpoints").then().statusCode(400).body("detail", containsString("uri: 'ftp:/x'"));
    admin().get("/api/v1/runs/" + id + "/checkpoints").then().statusCode(200).body("step", equalTo(List.of(100)));
    admin().get("/api/v1/runs/" + id).then().body("latestCheckpoint.step", equalTo(100));
  }

  @Test
  void lineageAndEvalResults() {
    String pretrain = training("lineage-pretrain", null);
    String sft = training("lineage-sft", pretrain);
    admin().body(Map.of("step", 50, "uri", "file:/sft/step-000000050", "sha256", sha('d'), "bytes", 10))
        .post("/api/v1/runs/" + sft + "/checkpoints").then().statusCode(201);
    String eval = admin().body(Map.of("name", "lineage-eval", "namespace", "team-a", "kind", "Eval",
            "externalId", UUID.randomUUID().toString(), "parentRunId", sft,
            "spec", Map.of("checkpoint", Map.of("fromTraining", "lineage-sft", "step", "50"))))
        .post("/api/v1/runs").then().statusCode(201).extract().path("id");

    admin().get("/api/v1/runs/" + sft + "/lineage").then().statusCode(200)
        .body("run.id", equalTo(sft))
        .body("ancestors.id", equalTo(List.of(pretrain)))
        .body("descendants.id", equalTo(List.of(eval)));
    admin().get("/api/v1/runs/" + pretrain + "/lineage").then()
        .body("ancestors", hasSize(0)).body("descendants.id", equalTo(List.of(sft, eval)));
    admin().get("/api/v1/runs/" + eval + "/lineage").then().body("ancestors.id", equalTo(List.of(sft, pretrain)));

    List<Map<String, Object>> results = List.of(
        Map.of("benchmark", "coco", "dataset", "coco-val", "shots", 0, "metric", "cider-d", "value", 91.5, "samples", 500),
        Map.of("benchmark", "vqav2", "dataset", "vqav2-val", "shots", 4, "metric", "vqa-accuracy", "value", 63.25, "samples", 800));
    admin().body(results).post("/api/v1/runs/" + eval + "/results").then().statusCode(200).body("$", hasSize(2));
    admin().body(results).post("/api/v1/runs/" + eval + "/results").then().statusCode(200).body("$", hasSize(2));
    admin().get("/api/v1/runs/" + eval + "/results").then().statusCode(200)
        .body("benchmark", equalTo(List.of("coco", "vqav2"))).body("checkpointStep", equalTo(List.of(50, 50)))
        .body("value[1]", equalTo(63.25f));
    admin().body(results).post("/api/v1/runs/" + sft + "/results").then().statusCode(409)
        .body("detail", containsString("results belong to Eval runs"));
    admin().body(List.of(Map.of("benchmark", "coco", "shots", -1, "metric", "cider-d", "value", 1, "samples", 1)))
        .post("/api/v1/runs/" + eval + "/results").then().statusCode(400).body("detail", containsString("[0].shots: -1"));
  }

  @Test
  void tokensAreScopedAndRunRestricted() {
    String run = training("auth-run", null);
    String other = training("auth-other", null);
    given().get("/api/v1/runs").then().statusCode(401).header("WWW-Authenticate", containsString("Bearer"))
        .contentType("application/problem+json").body("detail", containsString("scope 'read'"));
    as("mm1_not-a-real-token").get("/api/v1/runs").then().statusCode(401)
        .body("detail", containsString("not valid"));
    String reader = token(null, "read");
    as(reader).get("/api/v1/runs/" + run).then().statusCode(200);
    as(reader).body(Map.of("points", List.of(point("loss", 1, 1.0)))).post("/api/v1/runs/" + run + "/metrics")
        .then().statusCode(403).body("detail", containsString("needs scope 'ingest'"));
    as(reader).body(Map.of("name", "x", "scopes", List.of("read"))).post("/api/v1/tokens").then().statusCode(403);

    String trainer = token(run, "ingest", "read");
    as(trainer).body(Map.of("points", List.of(point("loss", 1, 1.0)))).post("/api/v1/runs/" + run + "/metrics")
        .then().statusCode(200);
    as(trainer).body(Map.of("points", List.of(point("loss", 1, 1.0)))).post("/api/v1/runs/" + other + "/metrics")
        .then().statusCode(403).body("detail", containsString("may only write to run " + run));
    as(trainer).body(Map.of("name", "n", "namespace", "ns", "kind", "Training", "externalId", "z"))
        .post("/api/v1/runs").then().statusCode(403);

    admin().body(Map.of("name", "bad", "scopes", List.of("root"))).post("/api/v1/tokens").then().statusCode(400)
        .body("detail", containsString("scopes[0]: 'root' is not a scope"));
    String revoked = admin().body(Map.of("name", "short-lived", "scopes", List.of("read"))).post("/api/v1/tokens")
        .then().statusCode(201).extract().path("secret");
    String revokedId = admin().get("/api/v1/tokens").then().statusCode(200)
        .extract().jsonPath().getString("find { it.name == 'short-lived' }.id");
    admin().delete("/api/v1/tokens/" + revokedId).then().statusCode(204);
    as(revoked).get("/api/v1/runs").then().statusCode(401);
    assertThat(admin().get("/api/v1/tokens").then().extract().jsonPath().getList("secret")).containsOnlyNulls();
  }

  @Test
  void operationsEndpoints() {
    given().get("/q/health/ready").then().statusCode(200).body(containsString("UP"));
    given().get("/q/metrics").then().statusCode(200).body(containsString("http_server"));
    given().get("/q/openapi").then().statusCode(200).body(containsString("/api/v1/runs/{id}/metrics"));
    admin().get("/api/v1/nothing-here").then().statusCode(404).contentType("application/problem+json");
  }
}
