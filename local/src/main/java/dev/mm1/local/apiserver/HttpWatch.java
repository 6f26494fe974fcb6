package dev.mm1.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.WebSocket;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A watch served the way kubectl and client-go read it: one HTTP response that stays open, one
 * JSON watch event per line. The object store delivers events to a WebSocket-shaped sink; this
 * class is that sink and writes them to the response, after the watch's own rules:
 * <ul>
 *   <li>from a {@code resourceVersion}: objects not changed since are not sent again (the store
 *       sends every existing object as ADDED when a watch starts);
 *   <li>{@code fieldSelector}s, which the store does not know, are applied here;
 *   <li>{@code Accept: ...as=Table}: each event's object is a one-row Table (kubectl get -w).
 * </ul>
 * Fabric8 clients ask for a WebSocket first and, answered with a plain 200, watch over HTTP too.
 */
final class HttpWatch {
  /** The longest a watch stays open when the client sets no timeout, as the API server's default range. */
  static final long DEFAULT_TIMEOUT_SECONDS = 1800;

  private HttpWatch() {}

  static void serve(HttpExchange exchange, ObjectStore store, ApiPath path, ResourceType type) throws IOException {
    long since = resourceVersion(path.query().get("resourceVersion"));
    var selector = FieldSelector.parse(path.query().get("fieldSelector"));
    var named = path.name() == null ? null : path.name();
    boolean table = Tables.wanted(exchange.getRequestHeaders().getFirst("Accept"));
    var includeObject = path.query().getOrDefault("includeObject", "Metadata");
    long timeout = path.query().containsKey("timeoutSeconds") ? Long.parseLong(path.query().get("timeoutSeconds")) : DEFAULT_TIMEOUT_SECONDS;

    exchange.getResponseHeaders().set("Content-Type", table ? "application/json;as=Table;v=v1;g=meta.k8s.io" : "application/json");
    exchange.getResponseHeaders().set("Cache-Control", "no-cache, private");
    exchange.sendResponseHeaders(200, 0);
    OutputStream out = exchange.getResponseBody();
    var ended = new CountDownLatch(1);
    var sink = new WebSocket() {
      @Override
      public RecordedRequest request() {
        return null;
      }

      @Override
      public boolean send(String text) {
        var event = (ObjectNode) ObjectStore.parse(text);
        var object = event.path("object");
        var kind = event.path("type").asText();
        if (kind.equals("ADDED") && version(object) <= since && since > 0) {
          return true; // the client has it from its list
        }
        if (named != null && !named.equals(object.path("metadata").path("name").asText())) {
          return true;
        }
        if (!selector.matches(object)) {
          return true;
        }
        if (table) {
          event.set("object", Tables.table(type, List.of(object), includeObject, object.path("metadata").path("resourceVersion").asText(null),
              Instant.now()));
        }
        try {
          synchronized (out) {
            out.write((event + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
          }
          return true;
        } catch (IOException e) {
          ended.countDown(); // the client went away
          return false;
        }
      }

      @Override
      public boolean send(byte[] bytes) {
        return send(new String(bytes, StandardCharsets.UTF_8));
      }

      @Override
      public boolean close(int code, String reason) {
        ended.countDown();
        return true;
      }
    };
    MockResponse response = store.watch(path.storePath(), r -> r.getWebSocketListener().onOpen(sink, r));
    try {
      ended.await(timeout, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      store.unwatch(response, sink);
      exchange.close();
    }
  }

  private static long resourceVersion(String value) {
    try {
      return value == null || value.isEmpty() ? 0 : Long.parseLong(value);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static long version(JsonNode object) {
    return resourceVersion(object.path("metadata").path("resourceVersion").asText(null));
  }
}
