package dev.mm1.local.apiserver;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A REST path of the Kubernetes API taken apart: group, version, namespace, resource, name and
 * subresource, e.g. {@code /apis/batch/v1/namespaces/default/jobs/x/status}, with its query.
 *
 * @param group the API group ("" for /api/v1)
 * @param version the API version
 * @param namespace the namespace segment, or null
 * @param plural the resource, or null for a bare group-version path
 * @param name the object's name, or null for a collection
 * @param subresource "status", "log", ... or null
 * @param query the decoded query parameters
 */
record ApiPath(String group, String version, String namespace, String plural, String name, String subresource,
    Map<String, String> query) {

  /** Parses {@code rawPath} (no query) and {@code rawQuery}; empty for paths outside /api and /apis. */
  static Optional<ApiPath> parse(String rawPath, String rawQuery, java.util.function.Predicate<String> namespacedPlural) {
    var segments = rawPath.replaceAll("^/+|/+$", "").split("/");
    int at;
    String group;
    String version;
    if (segments.length >= 2 && segments[0].equals("api")) {
      group = "";
      version = segments[1];
      at = 2;
    } else if (segments.length >= 3 && segments[0].equals("apis")) {
      group = segments[1];
      version = segments[2];
      at = 3;
    } else {
      return Optional.empty();
    }
    var rest = java.util.Arrays.copyOfRange(segments, at, segments.length);
    String namespace = null;
    if (rest.length >= 3 && rest[0].equals("namespaces") && namespacedPlural.test(rest[2])) {
      namespace = rest[1];
      rest = java.util.Arrays.copyOfRange(rest, 2, rest.length);
    }
    return Optional.of(new ApiPath(group, version, namespace,
        rest.length > 0 ? rest[0] : null, rest.length > 1 ? rest[1] : null, rest.length > 2 ? rest[2] : null, query(rawQuery)));
  }

  static Map<String, String> query(String rawQuery) {
    var query = new LinkedHashMap<String, String>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return query;
    }
    for (var pair : rawQuery.split("&")) {
      var eq = pair.indexOf('=');
      var key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      var value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      query.put(key, value);
    }
    return query;
  }

  boolean watch() {
    var value = query.get("watch");
    return "true".equals(value) || "1".equals(value);
  }

  /** The path the object store understands: this path with only its label selector kept. */
  String storePath() {
    var path = new StringBuilder(group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version);
    if (namespace != null) {
      path.append("/namespaces/").append(namespace);
    }
    if (plural != null) {
      path.append('/').append(plural);
    }
    if (name != null) {
      path.append('/').append(name);
    }
    if (subresource != null) {
      path.append('/').append(subresource);
    }
    var selector = query.get("labelSelector");
    if (selector != null && !selector.isEmpty()) {
      path.append("?labelSelector=").append(java.net.URLEncoder.encode(selector, StandardCharsets.UTF_8));
    }
    return path.toString();
  }
}
