package dev.mm1.operator.validation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mm1.api.validation.ResourceValidator;
import dev.mm1.api.validation.SchemaViolation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Validates a custom resource as the user wrote it, with the validation {@code ./mm1 validate}
 * runs ({@link ResourceValidator}): the stored object against its CRD schema (the typed object
 * cannot show a misspelled field or a string where a number belongs, because deserialization
 * already dropped them; see {@link LenientSpecReading}), then the CEL and cross-field rules. The
 * stored object is the one the operator's client read (see {@link StoredObjects}), else a GET; the
 * verdict is cached per UID and generation.
 */
public final class SpecValidator {
  private static final int MAX_CACHED = 50_000;
  private final ResourceValidator validator = new ResourceValidator();
  private final Map<String, Verdict> verdicts = new ConcurrentHashMap<>();

  private record Verdict(Long generation, List<SchemaViolation> violations) {}

  /** Throws the first violation (the condition names one field; the event and log list the rest). */
  public void check(HasMetadata resource, KubernetesClient client) throws InvalidSpecException {
    var meta = resource.getMetadata();
    var cached = verdicts.get(meta.getUid());
    if (cached == null || !cached.generation().equals(meta.getGeneration())) {
      var json = StoredObjects.of(resource).orElse(null);
      if (json == null) {
        var stored = client.genericKubernetesResources(resource.getApiVersion(), resource.getKind())
            .inNamespace(meta.getNamespace()).withName(meta.getName()).get();
        if (stored == null) {
          return; // deleted meanwhile: the delete event ends its reconciling
        }
        json = client.getKubernetesSerialization().convertValue(stored, JsonNode.class);
      }
      cached = new Verdict(meta.getGeneration(), validator.violations(json));
      if (verdicts.size() >= MAX_CACHED) {
        verdicts.clear(); // deleted resources are never told about; start over rather than grow
      }
      verdicts.put(meta.getUid(), cached);
    }
    if (!cached.violations().isEmpty()) {
      throw new InvalidSpecException(cached.violations());
    }
  }
}
