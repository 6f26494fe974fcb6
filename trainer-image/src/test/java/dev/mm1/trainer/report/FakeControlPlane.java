package dev.mm1.trainer.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The parts of the control plane's REST API a trainer calls, with its idempotency (a metric point
 * is stored once per run, name and step; a checkpoint once per step), and a switch that makes it
 * answer 503 like a control plane whose database is down.
 */
final class FakeControlPlane implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  final Map<String, Double> points = new ConcurrentHashMap<>(); // "name@step" -> value
  final AtomicInteger pointsReceived = new AtomicInteger();
  final List<String> states = java.util.Collections.synchronizedList(new ArrayList<>());
  final Map<Long, String> checkpoints = new ConcurrentHashMap<>();
  final AtomicInteger refused = new AtomicInteger();
  volatile boolean up = true;
  private final HttpServer server;

  FakeControlPlane() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/api/v1/runs/", this::handle);
    server.start();
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      var body = exchange.getRequestBody().readAllBytes();
      if (!up) {
        refused.incrementAndGet();
        respond(exchange, 503, "{\"title\":\"database unavailable\"}");
        return;
      }
      if (!"Bearer secret".equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
        respond(exchange, 401, "{}");
        return;
      }
      var path = exchange.getRequestURI().getPath();
      JsonNode json = JSON.readTree(body);
      if (path.endsWith("/metrics")) {
        for (var point : json.get("points")) {
          pointsReceived.incrementAndGet();
          points.put(point.get("name").asText() + "@" + point.get("step").asLong(), point.get("value").asDouble());
        }
        respond(exchange, 200, "{}");
      } else if (path.endsWith("/state")) {
        states.add(json.get("state").asText() + ":" + json.get("message").asText());
        respond(exchange, 200, "{}");
      } else if (path.endsWith("/checkpoints")) {
        long step = json.get("step").asLong();
        var previous = checkpoints.putIfAbsent(step, json.get("sha256").asText());
        respond(exchange, previous == null || previous.equals(json.get("sha256").asText()) ? 201 : 409, "{}");
      } else {
        respond(exchange, 404, "{}");
      }
    }
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    var bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
