package dev.mm1.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A kind of object the local API server serves: where it lives in the REST tree and how discovery
 * describes it. Built-in kinds are a fixed table; custom resources come from the stored CRDs.
 *
 * @param group API group ("" for the core group)
 * @param version API version
 * @param plural resource name in URLs
 * @param singular singular name
 * @param kind object kind
 * @param namespaced whether objects live in namespaces
 * @param shortNames kubectl's short names
 * @param subresources "status", "log", ...
 * @param crd the CustomResourceDefinition of a custom resource, or null for a built-in
 */
public record ResourceType(String group, String version, String plural, String singular, String kind, boolean namespaced,
    List<String> shortNames, List<String> subresources, JsonNode crd) {

  static final List<String> VERBS = List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

  /** The kinds every cluster has that the operator, the node agent and kubectl use here. */
  static final List<ResourceType> BUILT_IN = List.of(
      core("pods", "Pod", true, List.of("po"), List.of("status", "log")),
      core("services", "Service", true, List.of("svc"), List.of("status")),
      core("configmaps", "ConfigMap", true, List.of("cm"), List.of()),
      core("secrets", "Secret", true, List.of(), List.of()),
      core("events", "Event", true, List.of("ev"), List.of()),
      core("namespaces", "Namespace", false, List.of("ns"), List.of("status")),
      core("persistentvolumeclaims", "PersistentVolumeClaim", true, List.of("pvc"), List.of("status")),
      core("persistentvolumes", "PersistentVolume", false, List.of("pv"), List.of("status")),
      core("serviceaccounts", "ServiceAccount", true, List.of("sa"), List.of()),
      core("nodes", "Node", false, List.of("no"), List.of("status")),
      core("endpoints", "Endpoints", true, List.of("ep"), List.of()),
      new ResourceType("batch", "v1", "jobs", "job", "Job", true, List.of(), List.of("status"), null),
      new ResourceType("coordination.k8s.io", "v1", "leases", "lease", "Lease", true, List.of(), List.of(), null),
      new ResourceType("apiextensions.k8s.io", "v1", "customresourcedefinitions", "customresourcedefinition",
          "CustomResourceDefinition", false, List.of("crd", "crds"), List.of("status"), null));

  private static ResourceType core(String plural, String kind, boolean namespaced, List<String> shortNames, List<String> sub) {
    return new ResourceType("", "v1", plural, kind.toLowerCase(java.util.Locale.ROOT), kind, namespaced, shortNames, sub, null);
  }

  /** The served version of a stored CustomResourceDefinition as a resource type. */
  static List<ResourceType> ofCrd(JsonNode crd) {
    var spec = crd.path("spec");
    var names = spec.path("names");
    var types = new ArrayList<ResourceType>();
    for (var version : spec.path("versions")) {
      if (!version.path("served").asBoolean(true)) {
        continue;
      }
      var shortNames = new ArrayList<String>();
      names.path("shortNames").forEach(n -> shortNames.add(n.asText()));
      var subresources = new ArrayList<String>();
      version.path("subresources").fieldNames().forEachRemaining(subresources::add);
      types.add(new ResourceType(spec.path("group").asText(), version.path("name").asText(), names.path("plural").asText(),
          names.path("singular").asText(names.path("kind").asText().toLowerCase(java.util.Locale.ROOT)),
          names.path("kind").asText(), "Namespaced".equals(spec.path("scope").asText("Namespaced")), shortNames,
          subresources, crd));
    }
    return types;
  }

  /** "v1" for the core group, else "group/version". */
  public String apiVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }

  /** The URL prefix of the group version: /api/v1 or /apis/group/version. */
  public String groupVersionPath() {
    return group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
  }

  /** The collection URL of this type in {@code namespace} (ignored for cluster-scoped types). */
  public String collectionPath(String namespace) {
    return groupVersionPath() + (namespaced ? "/namespaces/" + namespace : "") + "/" + plural;
  }

  /** The printer columns of this version of the CRD, or empty. */
  JsonNode printerColumns() {
    if (crd == null) {
      return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }
    for (var v : crd.path("spec").path("versions")) {
      if (version.equals(v.path("name").asText())) {
        return v.path("additionalPrinterColumns");
      }
    }
    return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
  }

  /** The OpenAPI v3 schema of this version of the CRD, or a missing node. */
  JsonNode schema() {
    if (crd == null) {
      return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }
    for (var v : crd.path("spec").path("versions")) {
      if (version.equals(v.path("name").asText())) {
        return v.path("schema").path("openAPIV3Schema");
      }
    }
    return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
  }
}
