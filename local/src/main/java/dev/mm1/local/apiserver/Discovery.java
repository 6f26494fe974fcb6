package dev.mm1.local.apiserver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;

/**
 * The documents clients read before they talk to a resource: legacy discovery ({@code /api},
 * {@code /apis}, {@code /api/v1}, {@code /apis/GROUP[/VERSION]}) and OpenAPI v3. kubectl needs
 * both: discovery maps "mm1t" to a URL, and OpenAPI v3 tells it that the server validates fields
 * itself ({@code fieldValidation} on every write), so it sends {@code fieldValidation=Strict}
 * instead of validating on the client; {@code kubectl explain} reads the CRD schemas from it.
 */
final class Discovery {
  static final String KUBERNETES_VERSION = "v1.32.0";

  private final ObjectStore store;

  Discovery(ObjectStore store) {
    this.store = store;
  }

  ObjectNode version() {
    var node = ApiStatus.JSON.createObjectNode();
    node.put("major", "1").put("minor", "32").put("gitVersion", KUBERNETES_VERSION + "+mm1-local")
        .put("platform", "linux/amd64").put("goVersion", "n/a (Java)").put("compiler", "mm1-local");
    return node;
  }

  ObjectNode apiVersions(String serverAddress) {
    var node = ApiStatus.JSON.createObjectNode().put("kind", "APIVersions");
    node.putArray("versions").add("v1");
    node.putArray("serverAddressByClientCIDRs").addObject().put("clientCIDR", "0.0.0.0/0").put("serverAddress", serverAddress);
    return node;
  }

  ObjectNode groupList() {
    var node = ApiStatus.JSON.createObjectNode().put("kind", "APIGroupList").put("apiVersion", "v1");
    var groups = node.putArray("groups");
    versionsByGroup().forEach((group, versions) -> {
      if (!group.isEmpty()) {
        groups.add(group(group, versions));
      }
    });
    return node;
  }

  Optional<ObjectNode> group(String name) {
    var versions = versionsByGroup().get(name);
    return versions == null || name.isEmpty() ? Optional.empty() : Optional.of(group(name, versions).put("kind", "APIGroup").put("apiVersion", "v1"));
  }

  private ObjectNode group(String name, List<String> versions) {
    var group = ApiStatus.JSON.createObjectNode().put("name", name);
    var array = group.putArray("versions");
    versions.forEach(v -> array.addObject().put("groupVersion", name + "/" + v).put("version", v));
    group.putObject("preferredVersion").put("groupVersion", name + "/" + versions.getFirst()).put("version", versions.getFirst());
    return group;
  }

  private LinkedHashMap<String, List<String>> versionsByGroup() {
    var groups = new LinkedHashMap<String, List<String>>();
    for (var type : store.types()) {
      groups.compute(type.group(), (g, versions) -> {
        var list = versions == null ? new java.util.ArrayList<String>() : new java.util.ArrayList<>(versions);
        if (!list.contains(type.version())) {
          list.add(type.version());
        }
        return list;
      });
    }
    return groups;
  }

  /** The APIResourceList of one group version, or empty when nothing is served there. */
  Optional<ObjectNode> resources(String group, String version) {
    var types = store.types().stream().filter(t -> t.group().equals(group) && t.version().equals(version)).toList();
    if (types.isEmpty()) {
      return Optional.empty();
    }
    var node = ApiStatus.JSON.createObjectNode().put("kind", "APIResourceList").put("apiVersion", "v1")
        .put("groupVersion", group.isEmpty() ? version : group + "/" + version);
    var resources = node.putArray("resources");
    for (var type : types) {
      var resource = resources.addObject().put("name", type.plural()).put("singularName", type.singular())
          .put("namespaced", type.namespaced()).put("kind", type.kind());
      var verbs = resource.putArray("verbs");
      ResourceType.VERBS.forEach(verbs::add);
      if (!type.shortNames().isEmpty()) {
        var shortNames = resource.putArray("shortNames");
        type.shortNames().forEach(shortNames::add);
      }
      for (var sub : type.subresources()) {
        var subresource = resources.addObject().put("name", type.plural() + "/" + sub).put("singularName", "")
            .put("namespaced", type.namespaced()).put("kind", sub.equals("log") ? "Pod" : type.kind());
        var subVerbs = subresource.putArray("verbs");
        (sub.equals("log") ? List.of("get") : List.of("get", "patch", "update")).forEach(subVerbs::add);
      }
    }
    return Optional.of(node);
  }

  /** /openapi/v3: where the document of each group version is. */
  ObjectNode openApiRoot() {
    var node = ApiStatus.JSON.createObjectNode();
    var paths = node.putObject("paths");
    for (var type : store.types()) {
      var key = type.groupVersionPath().substring(1);
      if (!paths.has(key)) {
        // The hash changes with the document, so clients that cache by URL see a new CRD version.
        var hash = openApi(type.group(), type.version()).map(d -> Integer.toHexString(d.hashCode())).orElse("0");
        paths.putObject(key).put("serverRelativeURL", "/openapi/v3/" + key + "?hash=" + hash);
      }
    }
    return node;
  }

  /**
   * The OpenAPI v3 document of one group version: every resource's paths, whose writes take
   * {@code fieldValidation}, and a schema per kind (a CRD's own schema; built-ins accept any fields).
   */
  Optional<ObjectNode> openApi(String group, String version) {
    var types = store.types().stream().filter(t -> t.group().equals(group) && t.version().equals(version)).toList();
    if (types.isEmpty()) {
      return Optional.empty();
    }
    var document = ApiStatus.JSON.createObjectNode().put("openapi", "3.0.0");
    document.putObject("info").put("title", "Kubernetes (mm1 local)").put("version", KUBERNETES_VERSION);
    var paths = document.putObject("paths");
    var schemas = document.putObject("components").putObject("schemas");
    for (var type : types) {
      var schemaName = schemaName(type);
      var collection = type.groupVersionPath() + (type.namespaced() ? "/namespaces/{namespace}" : "") + "/" + type.plural();
      paths.putObject(collection).set("post", operation(type, "post", schemaName));
      var item = paths.putObject(collection + "/{name}");
      item.set("get", operation(type, "get", schemaName));
      item.set("put", operation(type, "put", schemaName));
      item.set("patch", operation(type, "patch", schemaName));
      item.set("delete", operation(type, "delete", schemaName));
      ObjectNode schema;
      if (type.crd() != null) {
        schema = type.schema().deepCopy();
      } else {
        schema = ApiStatus.JSON.createObjectNode().put("type", "object").put("x-kubernetes-preserve-unknown-fields", true)
            .put("description", type.kind() + " (the local API server stores any fields of built-in kinds)");
      }
      schema.putArray("x-kubernetes-group-version-kind").addObject()
          .put("group", type.group()).put("version", type.version()).put("kind", type.kind());
      schemas.set(schemaName, schema);
    }
    return Optional.of(document);
  }

  private static ObjectNode operation(ResourceType type, String action, String schemaName) {
    var operation = ApiStatus.JSON.createObjectNode();
    operation.put("operationId", action + type.kind());
    operation.put("x-kubernetes-action", action);
    operation.putObject("x-kubernetes-group-version-kind").put("group", type.group()).put("version", type.version()).put("kind", type.kind());
    var parameters = operation.putArray("parameters");
    if (List.of("post", "put", "patch").contains(action)) {
      parameters.addObject().put("name", "fieldValidation").put("in", "query")
          .put("description", "Strict: unknown fields are an error; Warn: dropped with a warning; Ignore: dropped")
          .putObject("schema").put("type", "string").put("uniqueItems", true);
      parameters.addObject().put("name", "fieldManager").put("in", "query").putObject("schema").put("type", "string");
    }
    operation.putObject("responses").putObject("200").put("description", "OK").putObject("content")
        .putObject("application/json").putObject("schema").put("$ref", "#/components/schemas/" + schemaName);
    return operation;
  }

  private static String schemaName(ResourceType type) {
    var group = type.group().isEmpty() ? "io.k8s.api.core" : String.join(".", reverse(type.group().split("\\.")));
    return group + "." + type.version() + "." + type.kind();
  }

  private static List<String> reverse(String[] parts) {
    var list = new java.util.ArrayList<>(List.of(parts));
    java.util.Collections.reverse(list);
    return list;
  }
}
