package dev.mm1.operator.validation;

import static dev.mm1.operator.Cluster.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mm1.operator.Cluster;
import dev.mm1.operator.SimulatedClusterResource;
import dev.mm1.operator.Conditions;
import dev.mm1.operator.ControlPlaneResource;
import dev.mm1.operator.Labels;
import dev.mm1.operator.Reasons;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every sample in manifests/samples/invalid ends InvalidSpec, names its field, warns, and gets no children. */
@QuarkusTest
@QuarkusTestResource(SimulatedClusterResource.class)
@QuarkusTestResource(ControlPlaneResource.class)
class InvalidSamplesTest {
  final KubernetesClient client = SimulatedClusterResource.cluster().client();

  @Test
  void everyInvalidSampleEndsInvalidSpecWithNoChildren() throws IOException {
    var cluster = new Cluster(SimulatedClusterResource.cluster());
    var samples = samples();
    assertThat(samples).hasSizeGreaterThanOrEqualTo(15);
    for (var sample : samples) {
      var field = expectedField(sample);
      var name = "x-" + sample.getFileName().toString().replace(".yaml", "");
      cluster.apply("invalid/" + sample.getFileName(), name, r -> {});
      eventually(() -> {
        var status = status(name, sample);
        var ready = Conditions.find(status.conditions(), Reasons.READY).orElseThrow();
        assertThat(ready.getStatus()).isEqualTo("False");
        assertThat(ready.getReason()).as(sample.toString()).isEqualTo(Reasons.INVALID_SPEC);
        assertThat(ready.getMessage()).as(sample.toString()).startsWith(field);
        assertThat(cluster.events(name)).anySatisfy(e -> {
          assertThat(e.getType()).isEqualTo("Warning");
          assertThat(e.getReason()).isEqualTo(Reasons.INVALID_SPEC);
        });
      });
    }
    assertNoChildren();
  }

  @Test
  void crossFieldRulesAreInvalidSpecs() throws IOException {
    var cluster = new Cluster(SimulatedClusterResource.cluster());
    var cases = Map.<String, java.util.function.Consumer<GenericKubernetesResource>>of(
        "$.spec.optimization.globalBatchSize", r -> spec(r, "optimization").put("globalBatchSize", 6),
        "$.spec.init", r -> spec(r).put("stage", "SFT"),
        "$.spec.checkpoints", r -> spec(r).put("checkpoints", Map.of("uri", "file:///c", "claimName", "shared")),
        "$.spec.model.moe.topK", r -> spec(r, "model").put("moe", Map.of("experts", 2, "topK", 4)));
    int i = 0;
    for (var entry : cases.entrySet()) {
      var name = "rule-" + i++;
      cluster.apply("tiny-pretrain.yaml", name, entry.getValue());
      eventually(() -> {
        var ready = Conditions.find(cluster.training(name).getStatus().conditions, Reasons.READY).orElseThrow();
        assertThat(ready.getReason()).isEqualTo(Reasons.INVALID_SPEC);
        assertThat(ready.getMessage()).as(entry.getKey()).startsWith(entry.getKey() + ":");
      });
    }
    assertNoChildren();
  }

  private void assertNoChildren() {
    for (var kind : List.of("jobs", "services", "configmaps")) {
      var children = switch (kind) {
        case "jobs" -> client.batch().v1().jobs().inAnyNamespace().list().getItems().stream();
        case "services" -> client.services().inAnyNamespace().list().getItems().stream();
        default -> client.configMaps().inAnyNamespace().list().getItems().stream();
      };
      assertThat(children.map(c -> c.getMetadata().getLabels() == null ? "" : c.getMetadata().getLabels().getOrDefault(Labels.PARENT_NAME, ""))
          .filter(parent -> parent.startsWith("x-") || parent.startsWith("rule-")).toList()).as(kind).isEmpty();
    }
  }

  private record Status(List<io.fabric8.kubernetes.api.model.Condition> conditions) {}

  private Status status(String name, Path sample) {
    var kind = sample.getFileName().toString().startsWith("eval-") ? "MM1Eval" : "MM1Training";
    var resource = client.genericKubernetesResources("mm1.dev/v1alpha1", kind).inNamespace(Cluster.NS).withName(name).get();
    var status = client.getKubernetesSerialization().convertValue(resource.getAdditionalProperties().get("status"),
        dev.mm1.api.v1alpha1.MM1EvalStatus.class);
    return new Status(status.conditions);
  }

  static List<Path> samples() throws IOException {
    try (Stream<Path> files = Files.list(Cluster.SAMPLES.resolve("invalid"))) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  static String expectedField(Path sample) throws IOException {
    return Files.readAllLines(sample).stream().filter(l -> l.startsWith("# expect-error: "))
        .map(l -> l.substring("# expect-error: ".length()).trim()).findFirst().orElseThrow();
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> spec(GenericKubernetesResource r, String... path) {
    var node = (Map<String, Object>) r.getAdditionalProperties().get("spec");
    for (var key : path) {
      node = (Map<String, Object>) node.get(key);
    }
    return node;
  }
}
