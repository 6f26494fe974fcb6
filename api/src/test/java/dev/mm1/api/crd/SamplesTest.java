package dev.mm1.api.crd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.mm1.api.validation.ResourceValidator;
import dev.mm1.api.validation.SchemaViolation;
import dev.mm1.api.validation.SpecSchema;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every sample in manifests/samples is valid against the generated CRD (strict field validation,
 * as the API server and {@link SpecSchema} apply it) and the rules; every sample in
 * manifests/samples/invalid fails, and the error names the field its "# expect-error:" line gives.
 */
class SamplesTest {
  static final Path SAMPLES = Path.of("../manifests/samples");
  static final Pattern EXPECT = Pattern.compile("^# expect-error: (\\S+)$", Pattern.MULTILINE);
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static Map<String, SpecSchema> schemasByKind;

  @BeforeAll
  static void loadSchemas() throws IOException {
    try (Stream<Path> files = Files.list(CommittedCrdsTest.GENERATED)) {
      schemasByKind = files.filter(p -> p.toString().endsWith(".mm1.dev.yaml"))
          .map(SamplesTest::load)
          .collect(Collectors.toMap(SpecSchema::kind, s -> s));
    }
    assertThat(schemasByKind).containsOnlyKeys("MM1Training", "MM1Eval");
  }

  static List<Path> validSamples() throws IOException {
    return yamlFiles(SAMPLES);
  }

  static List<Path> invalidSamples() throws IOException {
    return yamlFiles(SAMPLES.resolve("invalid"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validSamples")
  void sampleIsValid(Path sample) throws IOException {
    var resource = YAML.readTree(sample.toFile());
    var schema = schemasByKind.get(resource.path("kind").asText());
    assertThat(schema).as("%s has kind %s", sample, resource.path("kind")).isNotNull();
    assertThat(schema.violations(resource)).as(sample.toString()).isEmpty();
    assertThat(new ResourceValidator().violations(resource)).as(sample.toString()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidSamples")
  void invalidSampleFailsNamingTheField(Path sample) throws IOException {
    var text = Files.readString(sample);
    var expected = EXPECT.matcher(text);
    assertThat(expected.find()).as("%s needs a '# expect-error: $.path' line", sample).isTrue();
    var resource = YAML.readTree(text);
    // The operator's whole validation (schema, then CEL and cross-field rules), as ./mm1 validate runs it.
    var violations = new ResourceValidator().violations(resource);
    System.out.println(sample.getFileName() + " -> " + violations);
    assertThat(violations).as(sample.toString()).isNotEmpty();
    assertThat(violations).extracting(SchemaViolation::field).as(sample.toString()).contains(expected.group(1));
  }

  @org.junit.jupiter.api.Test
  void theJarShipsTheSameSchemas() throws IOException {
    var shipped = SpecSchema.forPlural("mm1trainings");
    assertThat(shipped.kind()).isEqualTo("MM1Training");
    var sample = YAML.readTree(SAMPLES.resolve("invalid/zero-nodes.yaml").toFile());
    assertThat(shipped.violations(sample)).isEqualTo(schemasByKind.get("MM1Training").violations(sample));
  }

  /** Draft 4's exclusiveMinimum: the message says 0 is not allowed, not "a minimum value of 0". */
  @org.junit.jupiter.api.Test
  void anExclusiveBoundSaysGreaterThan() throws IOException {
    var sample = (com.fasterxml.jackson.databind.node.ObjectNode) YAML.readTree(SAMPLES.resolve("tiny-pretrain.yaml").toFile());
    ((com.fasterxml.jackson.databind.node.ObjectNode) sample.path("spec").path("data").path("sources").get(1)).put("weight", 0);
    assertThat(schemasByKind.get("MM1Training").violations(sample)).containsExactly(
        new dev.mm1.api.validation.SchemaViolation("$.spec.data.sources[1].weight", "must be greater than 0; got 0"));
    ((com.fasterxml.jackson.databind.node.ObjectNode) sample.path("spec").path("data").path("sources").get(1)).put("weight", -1);
    assertThat(schemasByKind.get("MM1Training").violations(sample)).extracting(v -> v.problem())
        .containsExactly("must be greater than 0; got -1");
  }

  @org.junit.jupiter.api.Test
  void thereAreAtLeastEightInvalidSamples() throws IOException {
    assertThat(invalidSamples()).hasSizeGreaterThanOrEqualTo(8);
    assertThat(validSamples()).extracting(p -> p.getFileName().toString()).contains(
        "tiny-pretrain.yaml", "tiny-sft.yaml", "tiny-eval.yaml", "tiny-eval-baseline.yaml",
        "mm1-3b-pretrain.yaml", "mm1-3b-moe-pretrain.yaml", "mm1-7b-sft.yaml");
  }

  private static SpecSchema load(Path crd) {
    try {
      return SpecSchema.load(crd);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static List<Path> yamlFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
  }
}
