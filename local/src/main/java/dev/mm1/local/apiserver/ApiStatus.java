package dev.mm1.local.apiserver;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Kubernetes {@code Status} bodies for failed requests, shaped as the API server shapes them so that
 * kubectl and client libraries print their usual messages ("Error from server (NotFound): ...",
 * "The MM1Training "x" is invalid: spec.resources.nodes: Invalid value: ...").
 */
public final class ApiStatus {
  static final ObjectMapper JSON = JsonMapper.builder().build();

  private ApiStatus() {}

  /** One field problem of an Invalid status: the field path (spec.resources.nodes) and what is wrong. */
  public record Cause(String reason, String field, String message) {}

  /** An HTTP error with its Status body. */
  public record Failure(int code, String body) {}

  public static Failure of(int code, String reason, String message) {
    return new Failure(code, body(code, reason, message).toString());
  }

  public static Failure notFound(String resource, String group, String name) {
    var qualified = group == null || group.isEmpty() ? resource : resource + "." + group;
    var status = body(404, "NotFound", qualified + " \"" + name + "\" not found");
    status.putObject("details").put("name", name).put("group", group == null ? "" : group).put("kind", resource);
    return new Failure(404, status.toString());
  }

  /** 422 Invalid, as for a spec the CRD schema or its CEL rules refuse. */
  public static Failure invalid(String kind, String group, String name, List<Cause> causes) {
    var text = causes.stream().map(c -> (c.field().isEmpty() ? "<nil>" : c.field()) + ": " + c.message()).toList();
    var message = kind + "." + group + " \"" + name + "\" is invalid: "
        + (text.size() == 1 ? text.getFirst() : "[" + String.join(", ", text) + "]");
    var status = body(422, "Invalid", message);
    var details = status.putObject("details").put("name", name).put("group", group).put("kind", kind);
    var array = details.putArray("causes");
    for (var cause : causes) {
      array.addObject().put("reason", cause.reason()).put("message", cause.message()).put("field", cause.field());
    }
    return new Failure(422, status.toString());
  }

  private static ObjectNode body(int code, String reason, String message) {
    var status = JSON.createObjectNode();
    status.put("kind", "Status").put("apiVersion", "v1");
    status.putObject("metadata");
    status.put("status", "Failure").put("message", message).put("reason", reason).put("code", code);
    return status;
  }
}
