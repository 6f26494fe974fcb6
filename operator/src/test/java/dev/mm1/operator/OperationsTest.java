package dev.mm1.operator;

import static dev.mm1.operator.Cluster.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** What a cluster admin scrapes and probes: Prometheus metrics per resource kind, health. */
@QuarkusTest
@QuarkusTestResource(SimulatedClusterResource.class)
@QuarkusTestResource(ControlPlaneResource.class)
class OperationsTest {
  final KubernetesClient client = SimulatedClusterResource.cluster().client();

  @TestHTTPResource("/q/metrics")
  URI metrics;

  @TestHTTPResource("/q/health/ready")
  URI ready;

  static HttpResponse<String> get(URI uri) {
    try {
      return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Test
  void reconcilesAreCountedAndTimedPerKindAndTheOperatorIsReady() throws Exception {
    new Cluster(SimulatedClusterResource.cluster()).apply("tiny-pretrain.yaml", "metered", r -> {});
    eventually(() -> {
      var body = get(metrics).body();
      assertThat(body).contains("mm1_operator_reconciles_total{kind=\"MM1Training\",outcome=\"success\"}");
      assertThat(body).contains("mm1_operator_reconcile_seconds_count{kind=\"MM1Training\"}");
    });
    assertThat(get(ready).statusCode()).isEqualTo(200);
  }
}
