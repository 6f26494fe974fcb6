package dev.mm1.api.crd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every CEL rule (x-kubernetes-validations) of the generated CRDs compiles with Google's CEL, holds
 * on every valid sample, and is broken by at least one spec it exists to refuse. The API server
 * compiles them the same way when the CRD is applied; a rule that does not compile would make the
 * whole CRD fail to install.
 */
class CelRulesTest {
  record Rule(String kind, String path, String rule, String message) {}

  // The standard macros (has, all, exists, filter, map) are what Kubernetes enables too.
  static final CelCompiler COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
      .setStandardMacros(CelStandardMacro.STANDARD_MACROS).addVar("self", SimpleType.DYN).build();
  static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().build();

  /** For each rule (by the start of its message), a spec it must refuse, as an edit of a valid sample. */
  static final Map<String, Consumer<ObjectNode>> BREAKERS = new LinkedHashMap<>();

  static {
    BREAKERS.put("metadata.name must be a DNS-1035", t -> t.with("metadata").put("name", "7b-pretrain"));
    BREAKERS.put("metadata.name is too long", t -> t.with("metadata").put("name", "a".repeat(56)));
    BREAKERS.put("a training cannot start from its own", t -> t.with("spec").putObject("init").put("fromTraining", "tiny-pretrain"));
    BREAKERS.put("stage SFT needs init", t -> t.with("spec").put("stage", "SFT"));
    BREAKERS.put("set exactly one of fromTraining or uri", r -> r.with("spec")
        .putObject(r.path("kind").asText().equals("MM1Eval") ? "checkpoint" : "init")
        .put("fromTraining", "other").put("uri", "file:///mnt/ckpt/step-000000001"));
    BREAKERS.put("set at most one of claimName, createClaim or uri", t -> t.with("spec").with("checkpoints").put("claimName", "shared"));
    BREAKERS.put("exit codes are 1 to 255", t -> t.with("spec").with("failurePolicy").putArray("nonRetryableExitCodes").add(64).add(0));
    BREAKERS.put("a toleration's operator", t -> t.with("spec").with("resources").putArray("tolerations").addObject()
        .put("key", "gpu").put("operator", "In"));
    BREAKERS.put("a toleration's effect", t -> t.with("spec").with("resources").putArray("tolerations").addObject()
        .put("key", "gpu").put("operator", "Exists").put("effect", "NoScheduel"));
    BREAKERS.put("topology is a hint for Kueue", t -> t.with("spec").with("resources").putObject("topology").put("level", "rack"));
    BREAKERS.put("metadata.name must be a DNS-1123 label", e -> e.with("metadata").put("name", "Eval"));
    BREAKERS.put("an eval cannot be its own baseline", e -> e.with("spec").with("gate").put("baselineEval", "tiny-eval"));
    BREAKERS.put("shot counts are 0 to 64", e -> ((ObjectNode) e.with("spec").withArray("benchmarks").get(0)).putArray("shots").add(-1));
    BREAKERS.put("set at most one of baselineEval or baselineRunId", e -> e.with("spec").with("gate").put("baselineRunId", "17"));
    BREAKERS.put("maxRegression needs a baseline", e -> e.with("spec").with("gate").remove("baselineEval"));
    BREAKERS.put("a gate needs something to judge", e -> {
      e.with("spec").with("gate").remove("maxRegression");
      e.with("spec").with("gate").remove("thresholds");
    });
    BREAKERS.put("at most one threshold per benchmark and shot count", e -> {
      var thresholds = e.with("spec").with("gate").withArray("thresholds");
      thresholds.add(thresholds.get(0).deepCopy());
    });
  }

  static List<Rule> rules() throws IOException {
    var rules = new ArrayList<Rule>();
    try (Stream<Path> files = Files.list(CommittedCrdsTest.GENERATED)) {
      for (var file : files.filter(p -> p.toString().endsWith(".mm1.dev.yaml")).sorted().toList()) {
        var crd = SamplesTest.YAML.readTree(file.toFile());
        var kind = crd.path("spec").path("names").path("kind").asText();
        collect(kind, "$", crd.path("spec").path("versions").get(0).path("schema").path("openAPIV3Schema"), rules);
      }
    }
    return rules;
  }

  private static void collect(String kind, String path, JsonNode schema, List<Rule> out) {
    for (var validation : schema.path("x-kubernetes-validations")) {
      out.add(new Rule(kind, path, validation.path("rule").asText(), validation.path("message").asText()));
    }
    schema.path("properties").properties().forEach(p -> collect(kind, path + "." + p.getKey(), p.getValue(), out));
    if (schema.has("items")) {
      collect(kind, path + "[*]", schema.path("items"), out);
    }
  }

  @Test
  void everyRuleCompiles() throws Exception {
    var rules = rules();
    assertThat(rules).hasSizeGreaterThanOrEqualTo(BREAKERS.size());
    for (var rule : rules) {
      var result = COMPILER.compile(rule.rule());
      assertThat(result.getAllIssues()).as(rule.toString()).isEmpty();
    }
  }

  @Test
  void everyRuleHoldsOnEveryValidSample() throws Exception {
    for (var sample : SamplesTest.validSamples()) {
      var resource = SamplesTest.YAML.readTree(sample.toFile());
      var kind = resource.path("kind").asText();
      for (var rule : rules()) {
        if (rule.kind().equals(kind)) {
          for (var self : at(resource, rule.path())) {
            assertThat(evaluate(rule, self)).as("%s on %s", rule, sample).isTrue();
          }
        }
      }
    }
  }

  @Test
  void everyRuleRefusesTheSpecItExistsFor() throws Exception {
    var rules = rules();
    for (var rule : rules) {
      var breaker = BREAKERS.entrySet().stream().filter(e -> rule.message().startsWith(e.getKey())).findFirst();
      assertThat(breaker).as("a spec that breaks %s (add one to BREAKERS)", rule).isPresent();
      var sample = rule.kind().equals("MM1Training") ? "tiny-pretrain.yaml" : "tiny-eval.yaml";
      var resource = (ObjectNode) SamplesTest.YAML.readTree(SamplesTest.SAMPLES.resolve(sample).toFile());
      breaker.get().getValue().accept(resource);
      var verdicts = at(resource, rule.path()).stream().map(self -> evaluate(rule, self)).toList();
      assertThat(verdicts).as("%s on its breaking edit", rule).contains(false);
    }
  }

  private static boolean evaluate(Rule rule, JsonNode self) {
    try {
      var program = RUNTIME.createProgram(COMPILER.compile(rule.rule()).getAst());
      return (Boolean) program.eval(Map.of("self", dev.mm1.api.validation.CelValues.of(self)));
    } catch (Exception e) {
      throw new AssertionError(rule + " failed on " + self + ": " + e.getMessage(), e);
    }
  }

  /** The values a rule at {@code path} ("$.spec.resources.tolerations", "[*]" for each item) applies to. */
  private static List<JsonNode> at(JsonNode resource, String path) {
    var current = List.of(resource);
    for (var segment : path.substring(1).split("(?=\\.)|(?=\\[)")) {
      if (segment.isEmpty()) {
        continue;
      }
      var next = new ArrayList<JsonNode>();
      for (var node : current) {
        if (segment.equals("[*]")) {
          node.forEach(next::add);
        } else if (node.has(segment.substring(1))) {
          next.add(node.get(segment.substring(1)));
        }
      }
      current = next;
    }
    return current;
  }
}
