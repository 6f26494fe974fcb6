package dev.mm1.controlplane;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Small helpers of the API tests: authenticated requests, tokens, runs. */
final class Api {
  private Api() {}

  static RequestSpecification as(String token) {
    return given().contentType(ContentType.JSON).header("Authorization", "Bearer " + token);
  }

  static RequestSpecification admin() {
    return as(EmbeddedPostgresResource.ADMIN_TOKEN);
  }

  /** A new token with these scopes (and run restriction, when runId is not null). */
  static String token(String runId, String... scopes) {
    Map<String, Object> body = new java.util.HashMap<>(Map.of("name", "test-" + String.join("-", scopes), "scopes", List.of(scopes)));
    if (runId != null) {
      body.put("runId", runId);
    }
    return admin().body(body).post("/api/v1/tokens").then().statusCode(201).extract().path("secret");
  }

  /** Registers a training run (spec with 1000 total steps) and returns its id. */
  static String training(String name, String parentRunId) {
    Map<String, Object> body = new java.util.HashMap<>(Map.of(
        "name", name, "namespace", "team-a", "kind", "Training", "externalId", UUID.randomUUID().toString(),
        "spec", Map.of("stage", "Pretrain", "optimization", Map.of("steps", 1000))));
    if (parentRunId != null) {
      body.put("parentRunId", parentRunId);
    }
    return admin().body(body).post("/api/v1/runs").then().statusCode(201).extract().path("id");
  }

  static void metrics(String runId, List<Map<String, Object>> points) {
    admin().body(Map.of("points", points)).post("/api/v1/runs/" + runId + "/metrics").then().statusCode(200);
  }

  static Map<String, Object> point(String name, long step, double value) {
    return Map.of("name", name, "step", step, "value", value);
  }

  static String sha(char c) {
    return String.valueOf(c).repeat(64);
  }
}
