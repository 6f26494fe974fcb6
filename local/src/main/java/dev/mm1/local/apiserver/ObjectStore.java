package dev.mm1.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.crud.KubernetesCrudDispatcherHandler;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * The objects of the local API server: Fabric8's CRUD mock server used in-process as the storage
 * and watch engine, with what the mock leaves out and a real API server does on every write:
 * <ul>
 *   <li>admission of custom resources ({@link Admission}: pruning, defaults, schema, CEL);
 *   <li>deletion as the API server does it: objects with finalizers and pods bound to a node get a
 *       deletion timestamp and stay (a pod until its kubelet has stopped it, within its grace
 *       period); {@code propagationPolicy: Foreground} adds the {@code foregroundDeletion}
 *       finalizer that the garbage collector removes once the dependents are gone;
 *   <li>CRDs reported as Established, so their types are served at once.
 * </ul>
 * Writes are serialized by one lock, so a watch can start without missing an event.
 */
final class ObjectStore extends KubernetesCrudDispatcher {
  static final String FOREGROUND = "foregroundDeletion";
  private static final int DEFAULT_GRACE_SECONDS = 30;

  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final ThreadLocal<Write> write = new ThreadLocal<>();
  private final AtomicLong changes = new AtomicLong();
  private volatile List<ResourceType> customTypes;

  /** The admission state of one write request, shared with {@link #processEvent} on the same thread. */
  private static final class Write {
    final String fieldValidation;
    final List<String> warnings = new ArrayList<>();
    ApiStatus.Failure refused;
    String stored;

    Write(String fieldValidation) {
      this.fieldValidation = fieldValidation;
    }
  }

  /** A response and the warnings to send with it. */
  record Reply(MockResponse response, List<String> warnings) {}

  /** Every served type: the built-in table and the established CRDs. */
  List<ResourceType> types() {
    var custom = customTypes;
    if (custom == null) {
      custom = new ArrayList<>();
      for (var json : read(() -> List.copyOf(map.values()))) {
        var object = parse(json);
        if ("CustomResourceDefinition".equals(object.path("kind").asText())) {
          custom.addAll(ResourceType.ofCrd(object));
        }
      }
      customTypes = custom;
    }
    var all = new ArrayList<>(ResourceType.BUILT_IN);
    all.addAll(custom);
    return all;
  }

  Optional<ResourceType> type(String group, String version, String plural) {
    return types().stream().filter(t -> t.group().equals(group) && t.version().equals(version) && t.plural().equals(plural))
        .findFirst();
  }

  Optional<ResourceType> typeOf(String apiVersion, String kind) {
    return types().stream().filter(t -> t.apiVersion().equals(apiVersion) && t.kind().equals(kind)).findFirst();
  }

  /** Whether {@code plural} is a namespaced resource of any group (for taking paths apart). */
  boolean namespacedPlural(String plural) {
    return types().stream().anyMatch(t -> t.namespaced() && t.plural().equals(plural));
  }

  /** A counter that moves on every stored change (for persistence). */
  long changes() {
    return changes.get();
  }

  /** Serves a non-watch request. */
  Reply serve(RecordedRequest request, ApiPath path) {
    var method = request.method();
    if (method == HttpMethod.GET) {
      return new Reply(read(() -> super.dispatch(request)), List.of());
    }
    if (method == HttpMethod.DELETE) {
      return new Reply(locked(() -> delete(request, path)), List.of());
    }
    var context = new Write(path.query().get("fieldValidation"));
    return locked(() -> {
      write.set(context);
      try {
        var response = super.dispatch(method == HttpMethod.PATCH ? asJsonPatch(request) : request);
        if (context.refused != null) {
          return new Reply(new MockResponse().setResponseCode(context.refused.code()).setBody(context.refused.body()), List.of());
        }
        if (context.stored != null && response.code() < 300) {
          response.setBody(context.stored); // the defaults the write got are in the answer, as from a real server
        }
        return new Reply(response, List.copyOf(context.warnings));
      } finally {
        write.remove();
      }
    });
  }

  /**
   * A JSON merge patch as the JSON patch of its result: the mock merges arrays item by item, where
   * RFC 7396 (and the API server) replaces them, so a patched list (conditions, containerStatuses,
   * a spec's sources) would grow instead of being replaced. The result is computed here and
   * written field by field; a resourceVersion in the patch still makes a conflicting write fail.
   */
  private RecordedRequest asJsonPatch(RecordedRequest request) {
    var contentType = request.getHeader("Content-Type");
    if (contentType == null || !contentType.contains("merge-patch")) {
      return request;
    }
    var current = findResource(getKey(request.getPath().replaceAll("/status$", "").replaceAll("/status\\?", "?")));
    if (current == null) {
      return request; // answered 404 by the mock
    }
    var target = (ObjectNode) parse(current.getValue());
    var merged = (ObjectNode) mergePatch(target.deepCopy(), parse(request.getBody().readUtf8()));
    var operations = ApiStatus.JSON.createArrayNode();
    merged.properties().forEach(e -> operations.addObject().put("op", "add").put("path", pointer(e.getKey())).set("value", e.getValue()));
    target.fieldNames().forEachRemaining(name -> {
      if (!merged.has(name)) {
        operations.addObject().put("op", "remove").put("path", pointer(name));
      }
    });
    var headers = io.fabric8.mockwebserver.http.Headers.builder().add("Content-Type", "application/json-patch+json").build();
    return new RecordedRequest("HTTP/1.1", HttpMethod.PATCH, request.getPath(), headers,
        new io.fabric8.mockwebserver.http.Buffer(operations.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  private static String pointer(String member) {
    return "/" + member.replace("~", "~0").replace("/", "~1");
  }

  /** RFC 7396: objects merge member by member, null removes a member, anything else replaces. */
  static JsonNode mergePatch(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch;
    }
    var result = target != null && target.isObject() ? (ObjectNode) target : ApiStatus.JSON.createObjectNode();
    patch.properties().forEach(e -> {
      if (e.getValue().isNull()) {
        result.remove(e.getKey());
      } else {
        result.set(e.getKey(), mergePatch(result.get(e.getKey()), e.getValue()));
      }
    });
    return result;
  }

  /** Starts a watch while no write can happen, so that its first events and the later ones leave nothing out. */
  MockResponse watch(String storePath, java.util.function.Consumer<MockResponse> open) {
    return locked(() -> {
      var response = super.handleWatch(storePath);
      open.accept(response);
      return response;
    });
  }

  /**
   * Ends a watch that {@link #watch} opened, under the same lock as writes: the mock's listener shuts
   * its executor before it leaves the listener set, and a write delivering events in between got a
   * RejectedExecutionException, failed with a 500 after it was stored and left the other watchers
   * without the event (seen once in CI, right after a killed operator's watches closed).
   */
  void unwatch(MockResponse response, io.fabric8.mockwebserver.http.WebSocket sink) {
    locked(() -> {
      response.getWebSocketListener().onClosed(sink, 1000, "watch ended");
      return null;
    });
  }

  @Override
  public void processEvent(String path, AttributeSet pathAttributes, AttributeSet oldAttributes, GenericKubernetesResource resource,
      String newState) {
    var context = write.get();
    if (context != null && newState != null && oldAttributes == null) {
      // The mock numbers UIDs from 1 in every process; a restored store would hand out UIDs again
      // (and checkpoint directories are keyed by UID). A real API server's UIDs are random.
      var created = (ObjectNode) parse(newState);
      created.with("metadata").put("uid", UUID.randomUUID().toString());
      newState = created.toString();
      resource = null;
      context.stored = newState;
    }
    if (context != null && newState != null && !KubernetesCrudDispatcherHandler.isStatusPath(path)) {
      var apiPath = ApiPath.parse(path.replaceAll("\\?.*", ""), null, this::namespacedPlural).orElse(null);
      var type = apiPath == null || apiPath.plural() == null ? null : type(apiPath.group(), apiPath.version(), apiPath.plural()).orElse(null);
      if (type != null && type.crd() != null) {
        var object = (ObjectNode) parse(newState);
        var old = oldAttributes == null ? null : map.get(oldAttributes);
        var failure = Admission.admit(type, object, old == null ? null : parse(old), context.fieldValidation, context.warnings);
        if (failure.isPresent()) {
          context.refused = failure.get();
          return; // nothing is stored and no watcher hears of it
        }
        newState = object.toString();
        resource = null;
        context.stored = newState;
      } else if (type != null && type.kind().equals("CustomResourceDefinition")) {
        var object = (ObjectNode) parse(newState);
        established(object);
        newState = object.toString();
        resource = null;
        context.stored = newState;
      }
    }
    super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
    changes.incrementAndGet();
    if (path.contains("/customresourcedefinitions")) {
      customTypes = null;
    }
  }

  /** A CRD's status as the apiextensions server reports it once the names are accepted. */
  private static void established(ObjectNode crd) {
    var status = crd.putObject("status");
    status.set("acceptedNames", crd.path("spec").path("names").deepCopy());
    var conditions = status.putArray("conditions");
    var now = timestamp(Instant.now());
    conditions.addObject().put("type", "NamesAccepted").put("status", "True").put("reason", "NoConflicts")
        .put("message", "no conflicts found").put("lastTransitionTime", now);
    conditions.addObject().put("type", "Established").put("status", "True").put("reason", "InitialNamesAccepted")
        .put("message", "the initial names have been accepted").put("lastTransitionTime", now);
    var versions = status.putArray("storedVersions");
    crd.path("spec").path("versions").forEach(v -> {
      if (v.path("storage").asBoolean(false)) {
        versions.add(v.path("name").asText());
      }
    });
  }

  private MockResponse delete(RecordedRequest request, ApiPath path) {
    var options = request.getBody() == null || request.getBody().size() == 0 ? ApiStatus.JSON.createObjectNode()
        : parse(request.getBody().readUtf8());
    Integer grace = null;
    if (options.hasNonNull("gracePeriodSeconds")) {
      grace = options.path("gracePeriodSeconds").asInt();
    } else if (path.query().containsKey("gracePeriodSeconds")) {
      grace = Integer.valueOf(path.query().get("gracePeriodSeconds"));
    }
    var propagation = options.path("propagationPolicy").asText(path.query().getOrDefault("propagationPolicy", "Background"));
    if (path.name() == null) {
      var storePath = path.storePath();
      var query = getKey(storePath);
      var deleted = new ArrayList<JsonNode>();
      for (var entry : new ArrayList<>(map.entrySet())) {
        if (entry.getKey().matches(query)) {
          deleted.add(deleteOne(objectPath(entry.getValue()), entry, grace, propagation));
        }
      }
      var list = ApiStatus.JSON.createObjectNode().put("kind", "List").put("apiVersion", "v1");
      list.putObject("metadata");
      list.putArray("items").addAll(deleted);
      return new MockResponse().setResponseCode(200).setBody(list.toString());
    }
    var storePath = path.storePath();
    var entry = findResource(getKey(storePath));
    if (entry == null) {
      var failure = ApiStatus.notFound(path.plural(), path.group(), path.name());
      return new MockResponse().setResponseCode(failure.code()).setBody(failure.body());
    }
    return new MockResponse().setResponseCode(200).setBody(deleteOne(storePath, entry, grace, propagation).toString());
  }

  private JsonNode deleteOne(String storePath, Map.Entry<AttributeSet, String> entry, Integer grace, String propagation) {
    var object = (ObjectNode) parse(entry.getValue());
    var meta = object.with("metadata");
    var finalizers = new ArrayList<String>();
    meta.path("finalizers").forEach(f -> finalizers.add(f.asText()));
    boolean marked = meta.hasNonNull("deletionTimestamp");
    if ("Foreground".equals(propagation) && !finalizers.contains(FOREGROUND) && !marked) {
      finalizers.add(FOREGROUND);
    }
    boolean boundPod = object.path("kind").asText().equals("Pod") && !object.path("spec").path("nodeName").asText("").isEmpty()
        && !List.of("Succeeded", "Failed").contains(object.path("status").path("phase").asText());
    int podGrace = grace != null ? grace : object.path("spec").path("terminationGracePeriodSeconds").asInt(DEFAULT_GRACE_SECONDS);
    boolean graceful = boundPod && podGrace > 0;
    if (marked) {
      if (finalizers.isEmpty() && (!graceful || grace != null && grace == 0)) {
        processEvent(storePath, getKey(storePath), entry.getKey(), null, null);
      }
      return object;
    }
    if (finalizers.isEmpty() && !graceful) {
      processEvent(storePath, getKey(storePath), entry.getKey(), null, null);
      return object;
    }
    var now = Instant.now();
    meta.put("deletionTimestamp", timestamp(graceful ? now.plusSeconds(podGrace) : now));
    meta.put("deletionGracePeriodSeconds", graceful ? podGrace : 0);
    var array = meta.putArray("finalizers");
    finalizers.forEach(array::add);
    if (finalizers.isEmpty()) {
      meta.remove("finalizers");
    }
    meta.put("resourceVersion", Long.toString(requestResourceVersion()));
    processEvent(storePath, getKey(storePath), entry.getKey(), null, object.toString());
    return object;
  }

  /** The REST path of a stored object, from its apiVersion, kind, namespace and name. */
  private String objectPath(String json) {
    var object = parse(json);
    var type = typeOf(object.path("apiVersion").asText(), object.path("kind").asText())
        .orElseThrow(() -> new IllegalStateException("stored object of unknown kind " + object.path("kind").asText()));
    return type.collectionPath(object.path("metadata").path("namespace").asText()) + "/" + object.path("metadata").path("name").asText();
  }

  /** Every stored object, CRDs first (so that a restore knows their types before their objects). */
  List<JsonNode> snapshot() {
    var objects = new ArrayList<JsonNode>();
    for (var json : read(() -> List.copyOf(map.values()))) {
      objects.add(parse(json));
    }
    objects.sort(Comparator.comparing((JsonNode o) -> o.path("kind").asText().equals("CustomResourceDefinition") ? 0 : 1));
    return objects;
  }

  /** Puts back objects from {@link #snapshot()} with their UIDs and resource versions; later versions count on from there. */
  void restore(List<JsonNode> objects) {
    locked(() -> {
      long highest = 0;
      for (var object : objects) {
        var path = objectPath(object.toString());
        var collection = path.substring(0, path.lastIndexOf('/'));
        super.processEvent(collection, getKey(collection), null, null, object.toString());
        if (object.path("kind").asText().equals("CustomResourceDefinition")) {
          customTypes = null;
        }
        try {
          highest = Math.max(highest, Long.parseLong(object.path("metadata").path("resourceVersion").asText("0")));
        } catch (NumberFormatException ignored) {
          // a resource version that is not a number cannot collide with ours
        }
      }
      while (requestResourceVersion() < highest) {
        // the counter is private to the mock: step it past every restored version
      }
      return null;
    });
  }

  static String timestamp(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  static JsonNode parse(String json) {
    try {
      return ApiStatus.JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private <T> T read(Supplier<T> action) {
    lock.readLock().lock();
    try {
      return action.get();
    } finally {
      lock.readLock().unlock();
    }
  }

  private <T> T locked(Supplier<T> action) {
    lock.writeLock().lock();
    try {
      return action.get();
    } finally {
      lock.writeLock().unlock();
    }
  }
}
