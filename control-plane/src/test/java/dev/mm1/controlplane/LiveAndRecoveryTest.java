package dev.mm1.controlplane;

import static dev.mm1.controlplane.Api.admin;
import static dev.mm1.controlplane.Api.metrics;
import static dev.mm1.controlplane.Api.point;
import static dev.mm1.controlplane.Api.training;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Server-sent events reach a subscriber; a PostgreSQL restart is survived without restarting the service. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class LiveAndRecoveryTest {
  @TestHTTPResource("/")
  URL base;

  @Test
  void subscribersSeeMetricsAndStateChanges() throws Exception {
    String run = training("live-run", null);
    List<String> lines = new CopyOnWriteArrayList<>();
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest request = HttpRequest.newBuilder(URI.create(base + "api/v1/runs/" + run + "/events"))
        .header("Authorization", "Bearer " + EmbeddedPostgresResource.ADMIN_TOKEN).build();
    var response = http.sendAsync(request, HttpResponse.BodyHandlers.ofLines());
    Thread reader = Thread.ofVirtual().start(() -> {
      try (Stream<String> stream = response.join().body()) {
        stream.forEach(lines::add);
      } catch (RuntimeException closed) {
        // the test ended and closed the stream
      }
    });
    try {
      // The subscription is live once the server answered; publish until the subscriber sees it.
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300)).until(() -> {
        metrics(run, List.of(point("loss", 7, 1.5)));
        return lines.stream().anyMatch(l -> l.contains("\"type\":\"metrics\"") && l.contains("\"step\":7"));
      });
      admin().body(Map.of("state", "Running")).post("/api/v1/runs/" + run + "/state").then().statusCode(200);
      await().atMost(Duration.ofSeconds(10))
          .until(() -> lines.stream().anyMatch(l -> l.contains("\"type\":\"state\"") && l.contains("\"Running\"")));
    } finally {
      response.cancel(true);
      reader.interrupt();
      http.shutdownNow();
    }
  }

  @Test
  void recoversAfterPostgresRestarts() throws Exception {
    String run = training("restart-run", null);
    EmbeddedPostgresResource.stopServer();
    try {
      admin().get("/api/v1/runs/" + run).then().statusCode(503).contentType("application/problem+json")
          .header("Retry-After", "5").body("detail", containsString("database is unavailable"));
    } finally {
      EmbeddedPostgresResource.restartServer();
    }
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
        admin().get("/api/v1/runs/" + run).then().statusCode(200).body("name", equalTo("restart-run")));
    metrics(run, List.of(point("loss", 1, 2.0)));
  }
}
