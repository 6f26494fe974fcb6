package dev.mm1.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mm1.api.v1alpha1.MM1Eval;
import dev.mm1.api.v1alpha1.MM1Training;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;

/**
 * The one validation of MM1Training and MM1Eval resources, shared by the operator and
 * {@code ./mm1 validate}: the CRD schema with strict field validation ({@link SpecSchema}), then,
 * on a resource the schema accepts, the CEL and cross-field rules ({@link TrainingRules},
 * {@link EvalRules}). Works on the resource as written (JSON), so a misspelled field or a string
 * where a number belongs is reported, not silently dropped by deserialization.
 */
public final class ResourceValidator {
  public static final String API_VERSION = MM1Training.GROUP + "/" + MM1Training.VERSION;

  private final SpecSchema trainingSchema = SpecSchema.forPlural("mm1trainings");
  private final SpecSchema evalSchema = SpecSchema.forPlural("mm1evals");
  private final KubernetesSerialization serialization = new KubernetesSerialization();

  /** Whether {@code resource} is one of ours (apiVersion mm1.dev/v1alpha1, kind MM1Training or MM1Eval). */
  public static boolean isOurs(JsonNode resource) {
    var kind = resource.path("kind").asText();
    return API_VERSION.equals(resource.path("apiVersion").asText()) && (kind.equals("MM1Training") || kind.equals("MM1Eval"));
  }

  /** Every violation of {@code resource}, each naming its field; empty when it is valid. */
  public List<SchemaViolation> violations(JsonNode resource) {
    if (!isOurs(resource)) {
      return List.of(new SchemaViolation("$.kind", "expected apiVersion " + API_VERSION + " and kind MM1Training or MM1Eval, got "
          + resource.path("apiVersion").asText("(none)") + " " + resource.path("kind").asText("(none)")));
    }
    boolean training = resource.path("kind").asText().equals("MM1Training");
    var schemaViolations = (training ? trainingSchema : evalSchema).violations(resource);
    if (!schemaViolations.isEmpty()) {
      return schemaViolations; // the rules assume a schema-valid spec
    }
    if (training) {
      return TrainingRules.check(serialization.convertValue(resource, MM1Training.class));
    }
    return EvalRules.check(serialization.convertValue(resource, MM1Eval.class));
  }
}
