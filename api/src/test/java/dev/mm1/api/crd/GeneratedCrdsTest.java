package dev.mm1.api.crd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a user sees of the CRDs: kubectl get columns, short names, status, explain texts, defaults. */
class GeneratedCrdsTest {
  static JsonNode crd(String file) throws IOException {
    return SamplesTest.YAML.readTree(Path.of("target/crds", file).toFile());
  }

  @Test
  void trainingCrdShowsProgressInKubectlGet() throws IOException {
    var crd = crd("mm1trainings.mm1.dev.yaml");
    var spec = crd.path("spec");
    assertThat(spec.path("group").asText()).isEqualTo("mm1.dev");
    assertThat(spec.path("scope").asText()).isEqualTo("Namespaced");
    assertThat(spec.path("names").path("shortNames").get(0).asText()).isEqualTo("mm1t");
    var version = spec.path("versions").get(0);
    assertThat(version.path("name").asText()).isEqualTo("v1alpha1");
    assertThat(version.path("subresources").has("status")).isTrue();
    assertThat(columns(version)).containsExactly(
        "Phase=.status.phase", "Step=.status.step", "Loss=.status.loss",
        "Checkpoint=.status.latestCheckpoint.step", "Restarts=.status.restarts", "Age=.metadata.creationTimestamp");
  }

  @Test
  void evalCrdShowsTheGateVerdictInKubectlGet() throws IOException {
    var spec = crd("mm1evals.mm1.dev.yaml").path("spec");
    assertThat(spec.path("names").path("shortNames").get(0).asText()).isEqualTo("mm1e");
    var version = spec.path("versions").get(0);
    assertThat(version.path("subresources").has("status")).isTrue();
    assertThat(columns(version)).containsExactly(
        "Phase=.status.phase", "Checkpoint=.status.checkpoint.step", "Passed=.status.gate.passed",
        "Age=.metadata.creationTimestamp");
  }

  @Test
  void everyOwnFieldHasAnExplainText() throws IOException {
    for (var file : List.of("mm1trainings.mm1.dev.yaml", "mm1evals.mm1.dev.yaml")) {
      var root = crd(file).path("spec").path("versions").get(0).path("schema").path("openAPIV3Schema");
      var undocumented = new ArrayList<String>();
      collectUndocumented(root.path("properties").path("spec"), "spec", undocumented);
      collectUndocumented(root.path("properties").path("status"), "status", undocumented);
      assertThat(undocumented).as(file).isEmpty();
    }
  }

  @Test
  void javadocBecomesTheDescriptionAndInitializersTheDefaults() throws IOException {
    var spec = crd("mm1trainings.mm1.dev.yaml").path("spec").path("versions").get(0)
        .path("schema").path("openAPIV3Schema").path("properties").path("spec").path("properties");
    var nodes = spec.path("resources").path("properties").path("nodes");
    assertThat(nodes.path("description").asText())
        .isEqualTo("Worker pods (one per node); they form one gang that starts and restarts together.");
    assertThat(nodes.path("default").asInt()).isEqualTo(1);
    assertThat(nodes.path("minimum").asInt()).isEqualTo(1);
    assertThat(spec.path("resources").path("default").isObject()).isTrue();
    assertThat(spec.path("optimization").path("properties").path("precision").path("default").asText()).isEqualTo("FP32");
    assertThat(spec.path("failurePolicy").path("properties").path("nonRetryableExitCodes").path("default").toString())
        .isEqualTo("[64,65,66,67]");
    // Required fields carry no default: the user must say them.
    assertThat(spec.path("stage").has("default")).isFalse();
    var weight = spec.path("data").path("properties").path("sources").path("items").path("properties").path("weight");
    assertThat(weight.path("exclusiveMinimum").asBoolean()).isTrue();
  }

  /** Our own properties (not those inside Kubernetes types such as Toleration or Condition). */
  private static void collectUndocumented(JsonNode schema, String path, List<String> out) {
    if (!schema.has("description")) {
      out.add(path);
    }
    var items = schema.path("items");
    var object = items.isObject() ? items : schema;
    // Kubernetes' own types carry their own (absent) descriptions.
    if (path.endsWith("tolerations") || path.endsWith("conditions") || path.matches(".*\\.pod\\.(env|envFrom|volumes|volumeMounts)")) {
      return;
    }
    object.path("properties").properties().forEach(e -> collectUndocumented(e.getValue(), path + "." + e.getKey(), out));
  }

  private static List<String> columns(JsonNode version) {
    var columns = new ArrayList<String>();
    version.path("additionalPrinterColumns").forEach(c -> columns.add(c.path("name").asText() + "=" + c.path("jsonPath").asText()));
    return columns;
  }
}
