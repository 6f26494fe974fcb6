package dev.mm1.operator.simulation;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Kubernetes REST request taken apart the way the API server's authorizer does it: API group,
 * resource, subresource, namespace, name, and the RBAC verb the HTTP method stands for.
 *
 * @param group API group ("" for the core group)
 * @param version API version
 * @param namespace namespace, null for cluster-wide requests
 * @param resource resource (plural), e.g. {@code jobs}
 * @param name object name, null for collections
 * @param subresource e.g. {@code status}, {@code finalizers}; null for the object itself
 * @param watch whether the request is a watch ({@code ?watch=true} or the legacy {@code /watch/} prefix)
 */
public record ApiPath(String group, String version, String namespace, String resource, String name, String subresource, boolean watch) {

  /**
   * The resource request {@code pathAndQuery} stands for; empty for non-resource URLs ({@code /version},
   * {@code /healthz}) and discovery ({@code /api}, {@code /apis}, {@code /apis/GROUP/VERSION}).
   */
  public static Optional<ApiPath> parse(String pathAndQuery) {
    int q = pathAndQuery.indexOf('?');
    var path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
    var query = q < 0 ? Map.<String, String>of() : query(pathAndQuery.substring(q + 1));
    var segments = Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
    String group;
    int rest;
    if (segments.size() >= 2 && segments.get(0).equals("api")) {
      group = "";
      rest = 2;
    } else if (segments.size() >= 3 && segments.get(0).equals("apis")) {
      group = segments.get(1);
      rest = 3;
    } else {
      return Optional.empty();
    }
    var version = segments.get(rest - 1);
    var tail = segments.subList(rest, segments.size());
    boolean watch = "true".equals(query.get("watch")) || "1".equals(query.get("watch"));
    if (!tail.isEmpty() && tail.get(0).equals("watch")) {
      watch = true;
      tail = tail.subList(1, tail.size());
    }
    if (tail.isEmpty()) {
      return Optional.empty(); // discovery of a group version
    }
    String namespace = null;
    if (tail.get(0).equals("namespaces") && tail.size() >= 3) {
      namespace = tail.get(1);
      tail = tail.subList(2, tail.size());
    }
    return Optional.of(new ApiPath(group, version, namespace, tail.get(0), at(tail, 1), at(tail, 2), watch));
  }

  /** The RBAC verb of {@code method} on this path (get, list, watch, create, update, patch, delete, deletecollection). */
  public String verb(String method) {
    return switch (method) {
      case "GET", "HEAD" -> watch ? "watch" : name == null ? "list" : "get";
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> name == null ? "deletecollection" : "delete";
      default -> method.toLowerCase(java.util.Locale.ROOT);
    };
  }

  /** {@code resource} or {@code resource/subresource}, as RBAC rules name it. */
  public String resourceWithSubresource() {
    return subresource == null ? resource : resource + "/" + subresource;
  }

  private static String at(List<String> segments, int index) {
    return segments.size() > index ? segments.get(index) : null;
  }

  private static Map<String, String> query(String query) {
    var parameters = new LinkedHashMap<String, String>();
    for (var pair : query.split("&")) {
      int eq = pair.indexOf('=');
      var key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      parameters.put(key, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return parameters;
  }
}
