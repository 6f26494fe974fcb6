package dev.mm1.operator.validation;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.std.DelegatingDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.mm1.api.v1alpha1.MM1Eval;
import dev.mm1.api.v1alpha1.MM1Training;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Our custom resources as the API server sent them, kept while the operator's client reads them
 * into their typed classes (which drop what does not fit: a misspelled field, a string where a
 * number belongs). {@link SpecValidator} checks the schema on these, so a new spec costs no GET of
 * the stored object when the informer already brought it. Keyed by UID; an entry counts only for
 * the exact object version (namespace, name, resourceVersion) the reconcile holds.
 */
final class StoredObjects {
  private static final Set<Class<?>> CAPTURED = Set.of(MM1Training.class, MM1Eval.class);
  private static final int MAX_KEPT = 50_000;
  private static final Map<String, JsonNode> BY_UID = new ConcurrentHashMap<>();

  private StoredObjects() {}

  /** Makes {@code mapper}'s readers of MM1Training and MM1Eval keep what they read. */
  static SimpleModule module() {
    var module = new SimpleModule("mm1-stored-objects");
    module.setDeserializerModifier(new BeanDeserializerModifier() {
      @Override
      public JsonDeserializer<?> modifyDeserializer(DeserializationConfig config, BeanDescription description, JsonDeserializer<?> deserializer) {
        return CAPTURED.contains(description.getBeanClass()) ? new Capturing(deserializer) : deserializer;
      }
    });
    return module;
  }

  /** The object as stored, when this exact version was read by a client with {@link #module()}. */
  static Optional<JsonNode> of(HasMetadata resource) {
    var meta = resource.getMetadata();
    var json = meta.getUid() == null ? null : BY_UID.get(meta.getUid());
    if (json == null) {
      return Optional.empty();
    }
    var stored = json.path("metadata");
    boolean same = Objects.equals(stored.path("resourceVersion").asText(null), meta.getResourceVersion())
        && Objects.equals(stored.path("namespace").asText(null), meta.getNamespace())
        && Objects.equals(stored.path("name").asText(null), meta.getName());
    return same ? Optional.of(json) : Optional.empty();
  }

  private static void keep(JsonNode json) {
    var uid = json.path("metadata").path("uid").asText(null);
    if (uid == null) {
      return;
    }
    if (BY_UID.size() >= MAX_KEPT) {
      BY_UID.clear(); // deleted resources are never told about; start over rather than grow
    }
    // The first read of a version is the API server's (a list, a watch event, a write's answer); later
    // reads of the same version are copies of the typed object (JOSDK's and Fabric8's clones), which
    // lack what did not fit the classes, so they never replace it.
    var resourceVersion = json.path("metadata").path("resourceVersion").asText(null);
    BY_UID.compute(uid, (key, kept) -> kept != null && Objects.equals(kept.path("metadata").path("resourceVersion").asText(null), resourceVersion)
        ? kept : json);
  }

  /** Reads the JSON as a tree, keeps it, then lets the class's own deserializer read the tree. */
  private static final class Capturing extends DelegatingDeserializer {
    Capturing(JsonDeserializer<?> delegate) {
      super(delegate);
    }

    @Override
    protected JsonDeserializer<?> newDelegatingInstance(JsonDeserializer<?> delegate) {
      return new Capturing(delegate);
    }

    @Override
    public Object deserialize(JsonParser parser, DeserializationContext context) throws IOException {
      JsonNode json = context.readTree(parser);
      keep(json);
      try (var tree = json.traverse(parser.getCodec())) {
        tree.nextToken();
        return _delegatee.deserialize(tree, context);
      }
    }
  }
}
