package dev.mm1.local.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.mm1.api.validation.ResourceValidator;
import dev.mm1.api.validation.SchemaViolation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The local API server admits custom resources as a real one does: the samples are stored with the
 * schema's defaults filled in; every invalid sample is refused naming its field, unless its rule
 * is not the API server's (the CRD has no schema or CEL rule for it), in which case it is stored
 * and the operator's own validation refuses it, naming the same field.
 */
class AdmissionTest {
  static final Path SAMPLES = Path.of("../manifests/samples");
  static final Pattern EXPECT = Pattern.compile("^# expect-error: \\$\\.(\\S+)$", Pattern.MULTILINE);
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  static ResourceType type(String kind) throws IOException {
    var plural = kind.equals("MM1Training") ? "mm1trainings" : "mm1evals";
    try (var in = AdmissionTest.class.getClassLoader().getResourceAsStream("META-INF/mm1/crds/" + plural + ".mm1.dev.yaml")) {
      return ResourceType.ofCrd(YAML.readTree(in)).getFirst();
    }
  }

  static List<Path> samples(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  static List<Path> validSamples() throws IOException {
    return samples(SAMPLES);
  }

  static List<Path> invalidSamples() throws IOException {
    return samples(SAMPLES.resolve("invalid"));
  }

  private static Optional<ApiStatus.Failure> admit(ObjectNode resource, String fieldValidation, List<String> warnings) throws IOException {
    return Admission.admit(type(resource.path("kind").asText()), resource, null, fieldValidation, warnings);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validSamples")
  void aValidSampleIsStoredWithTheSchemaDefaults(Path sample) throws IOException {
    var resource = (ObjectNode) YAML.readTree(sample.toFile());
    var warnings = new ArrayList<String>();
    assertThat(admit(resource, "Strict", warnings)).as(sample.toString()).isEmpty();
    assertThat(warnings).isEmpty();
    if (resource.path("kind").asText().equals("MM1Training")) {
      // Defaults of the CRD, as the API server writes them into the stored object.
      assertThat(resource.path("spec").path("checkpoints").path("mountPath").asText()).isEqualTo("/checkpoints");
      assertThat(resource.path("spec").path("data").path("onBadSample").asText()).isEqualTo("Skip");
      assertThat(resource.path("spec").path("suspend").asBoolean(true)).isFalse();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidSamples")
  void anInvalidSampleIsRefusedNamingItsFieldByTheServerOrByTheOperator(Path sample) throws IOException {
    var text = Files.readString(sample);
    var expected = EXPECT.matcher(text);
    assertThat(expected.find()).as(sample + " has an expect-error line").isTrue();
    var field = expected.group(1);
    var resource = (ObjectNode) YAML.readTree(text);
    var refused = admit(resource.deepCopy(), "Strict", new ArrayList<>());
    if (refused.isPresent()) {
      var status = ObjectStore.parse(refused.get().body());
      if (refused.get().code() == 422) {
        assertThat(status.path("details").path("causes").findValuesAsText("field"))
            .as(sample.toString()).anyMatch(f -> field.equals(f) || field.startsWith(f + ".") || field.startsWith(f + "["));
        assertThat(status.path("message").asText()).contains("is invalid");
      } else {
        assertThat(refused.get().code()).isEqualTo(400);
        assertThat(status.path("message").asText()).contains("strict decoding error: unknown field \"" + field + "\"");
      }
    } else {
      // Not a rule of the API server: the operator refuses it from the stored object.
      assertThat(new ResourceValidator().violations(resource)).extracting(SchemaViolation::field).as(sample.toString()).contains("$." + field);
    }
  }

  @Test
  void schemaAndCelRulesAreTheServersAndTheOperatorsOwnRulesAreNot() throws IOException {
    for (var refusedByServer : List.of("zero-nodes", "misspelled-field", "missing-stage", "wrong-type-steps", "exit-code-zero",
        "toleration-operator", "eval-no-benchmarks", "unknown-preset")) {
      var resource = (ObjectNode) YAML.readTree(SAMPLES.resolve("invalid/" + refusedByServer + ".yaml").toFile());
      assertThat(admit(resource, "Strict", new ArrayList<>())).as(refusedByServer).isPresent();
    }
    for (var operatorOnly : List.of("bf16-on-cpu", "fp16-on-cpu", "checkpoints-on-node-root", "mount-over-config")) {
      var resource = (ObjectNode) YAML.readTree(SAMPLES.resolve("invalid/" + operatorOnly + ".yaml").toFile());
      assertThat(admit(resource, "Strict", new ArrayList<>())).as(operatorOnly).isEmpty();
    }
  }

  @Test
  void unknownFieldsAreDroppedWithAWarningWithoutStrictValidation() throws IOException {
    var resource = (ObjectNode) YAML.readTree(SAMPLES.resolve("tiny-pretrain.yaml").toFile());
    ((ObjectNode) resource.path("spec").path("resources")).put("gpuPerNode", 1);
    resource.put("specs", "typo");
    var warnings = new ArrayList<String>();
    assertThat(admit(resource, null, warnings)).isEmpty();
    assertThat(warnings).containsExactlyInAnyOrder("unknown field \"spec.resources.gpuPerNode\"", "unknown field \"specs\"");
    assertThat(resource.path("spec").path("resources").has("gpuPerNode")).isFalse();
    assertThat(resource.has("specs")).isFalse();
  }

  @Test
  void aRootCelRuleNamesNoFieldAsTheApiServerDoes() throws IOException {
    var resource = (ObjectNode) YAML.readTree(SAMPLES.resolve("tiny-pretrain.yaml").toFile());
    ((ObjectNode) resource.path("metadata")).put("name", "7b-pretrain");
    var refused = admit(resource, "Strict", new ArrayList<>());
    assertThat(refused).isPresent();
    JsonNode status = ObjectStore.parse(refused.get().body());
    assertThat(status.path("message").asText())
        .startsWith("MM1Training.mm1.dev \"7b-pretrain\" is invalid: <nil>: Invalid value: \"object\": metadata.name must be a DNS-1035 label");
  }

  @Test
  void aTransitionRuleIsSkippedOnCreateAndEvaluatedOnUpdate() throws IOException {
    var crd = (ObjectNode) YAML.readTree(AdmissionTest.class.getClassLoader().getResourceAsStream("META-INF/mm1/crds/mm1trainings.mm1.dev.yaml"));
    var schema = (ObjectNode) crd.path("spec").path("versions").get(0).path("schema").path("openAPIV3Schema").path("properties").path("spec");
    schema.withArray("x-kubernetes-validations").addObject().put("rule", "self.stage == oldSelf.stage").put("message", "stage is immutable");
    var type = ResourceType.ofCrd(crd).getFirst();
    var created = (ObjectNode) YAML.readTree(SAMPLES.resolve("tiny-pretrain.yaml").toFile());
    assertThat(Admission.admit(type, created.deepCopy(), null, "Strict", new ArrayList<>())).isEmpty();
    var changed = created.deepCopy();
    ((ObjectNode) changed.path("spec")).put("stage", "SFT");
    ((ObjectNode) changed.path("spec")).putObject("init").put("fromTraining", "other");
    var refused = Admission.admit(type, changed, created, "Strict", new ArrayList<>());
    assertThat(refused).isPresent();
    assertThat(refused.get().body()).contains("spec: Invalid value: \\\"object\\\": stage is immutable");
  }
}
