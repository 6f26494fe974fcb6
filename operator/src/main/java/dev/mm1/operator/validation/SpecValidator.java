package dev.mm1.operator.validation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mm1.api.v1alpha1.MM1Eval;
import dev.mm1.api.validation.SpecSchema;
import dev.mm1.api.v1alpha1.MM1Training;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Validates a custom resource as the user wrote it: the stored object against its CRD schema (the
 * typed object cannot show a misspelled field or a string where a number belongs, because
 * deserialization already dropped them; see {@link LenientSpecReading}), then the Java rules.
 * The schema verdict is cached per UID and generation, so only a new spec costs a GET.
 */
public final class SpecValidator {
  private final SpecSchema trainingSchema = SpecSchema.forPlural("mm1trainings");
  private final SpecSchema evalSchema = SpecSchema.forPlural("mm1evals");
  private static final int MAX_CACHED = 50_000;
  private final Map<String, SchemaVerdict> verdicts = new ConcurrentHashMap<>();

  private record SchemaVerdict(Long generation, Optional<InvalidSpecException> violation) {}

  public void check(MM1Training training, KubernetesClient client) throws InvalidSpecException {
    checkSchema(training, trainingSchema, client);
    TrainingRules.check(training);
  }

  public void check(MM1Eval eval, KubernetesClient client) throws InvalidSpecException {
    checkSchema(eval, evalSchema, client);
    EvalRules.check(eval);
  }

  private void checkSchema(HasMetadata resource, SpecSchema schema, KubernetesClient client) throws InvalidSpecException {
    var meta = resource.getMetadata();
    var cached = verdicts.get(meta.getUid());
    if (cached == null || !cached.generation().equals(meta.getGeneration())) {
      var stored = client.genericKubernetesResources(resource.getApiVersion(), resource.getKind())
          .inNamespace(meta.getNamespace()).withName(meta.getName()).get();
      if (stored == null) {
        return; // deleted meanwhile: the delete event ends its reconciling
      }
      JsonNode json = client.getKubernetesSerialization().convertValue(stored, JsonNode.class);
      var firstViolation = schema.violations(json).stream()
          .findFirst()
          .map(violation -> new InvalidSpecException(violation.field(), violation.problem()));
      cached = new SchemaVerdict(meta.getGeneration(), firstViolation);
      if (verdicts.size() >= MAX_CACHED) {
        verdicts.clear(); // deleted resources are never told about; start over rather than grow
      }
      verdicts.put(meta.getUid(), cached);
    }
    if (cached.violation().isPresent()) {
      throw cached.violation().get();
    }
  }
}
