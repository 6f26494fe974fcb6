package dev.mm1.operator.simulation;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.mm1.api.rest.CheckpointRecord;
import dev.mm1.api.rest.CreateRunRequest;
import dev.mm1.api.rest.EvalResultRecord;
import dev.mm1.api.rest.Problem;
import dev.mm1.api.rest.Run;
import dev.mm1.api.rest.RunState;
import dev.mm1.api.rest.StateTransition;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small stand-in for the control plane's REST API, for the operator's tests and benchmark: runs
 * registered idempotently on externalId, progress and results the test sets, transitions recorded;
 * {@link #down(boolean)} makes it answer 503 like an unreachable control plane behind a load
 * balancer.
 */
public final class TestingControlPlane implements AutoCloseable {
  public static final String TOKEN = "test-token";
  private static final ObjectMapper JSON = JsonMapper.builder().addModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();

  private final HttpServer server;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<String, Run> runs = new ConcurrentHashMap<>();
  private final Map<String, List<EvalResultRecord>> results = new ConcurrentHashMap<>();
  private final List<String> transitions = new CopyOnWriteArrayList<>();
  private volatile boolean down;

  public TestingControlPlane() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/api/v1/runs", this::handle);
    server.start();
  }

  public URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  public void down(boolean down) {
    this.down = down;
  }

  /** The run registered for a custom resource UID. */
  public Run runOf(String externalId) {
    return runs.values().stream().filter(r -> externalId.equals(r.externalId())).findFirst().orElse(null);
  }

  public void progress(String runId, long step, double loss, CheckpointRecord checkpoint) {
    runs.computeIfPresent(runId, (id, r) -> new Run(r.id(), r.name(), r.namespace(), r.kind(), r.externalId(), r.parentRunId(),
        r.state(), r.spec(), r.createdAt(), Instant.now(), step, loss, checkpoint));
  }

  public void results(String runId, List<EvalResultRecord> records) {
    results.put(runId, records);
  }

  /** "runId state reason" lines, in order. */
  public List<String> transitions() {
    return List.copyOf(transitions);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (down) {
        reply(exchange, 503, new Problem("about:blank", "Service Unavailable", 503, "control plane is down", exchange.getRequestURI().getPath()));
        return;
      }
      if (!("Bearer " + TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
        reply(exchange, 401, new Problem("about:blank", "Unauthorized", 401, "missing or wrong bearer token", exchange.getRequestURI().getPath()));
        return;
      }
      var parts = exchange.getRequestURI().getPath().split("/");  // "", api, v1, runs, {id}, {sub}
      var method = exchange.getRequestMethod();
      if (parts.length == 4 && method.equals("POST")) {
        var request = JSON.readValue(exchange.getRequestBody(), CreateRunRequest.class);
        var existing = runOf(request.externalId());
        var run = existing != null ? existing : new Run("run-" + ids.incrementAndGet(), request.name(), request.namespace(),
            request.kind(), request.externalId(), request.parentRunId(), RunState.Pending, request.spec(), Instant.now(),
            Instant.now(), null, null, null);
        runs.put(run.id(), run);
        reply(exchange, existing != null ? 200 : 201, run);
        return;
      }
      // A run is addressed by its id or by its externalId (the CR's UID), as the control plane does.
      var run = parts.length >= 5 ? (runs.containsKey(parts[4]) ? runs.get(parts[4]) : runOf(parts[4])) : null;
      if (run == null) {
        reply(exchange, 404, new Problem("about:blank", "Not Found", 404, "no run " + (parts.length >= 5 ? parts[4] : ""), exchange.getRequestURI().getPath()));
      } else if (parts.length == 5 && method.equals("GET")) {
        reply(exchange, 200, run);
      } else if (parts.length == 6 && parts[5].equals("state") && method.equals("POST")) {
        var transition = JSON.readValue(exchange.getRequestBody(), StateTransition.class);
        transitions.add(run.id() + " " + transition.state() + " " + transition.reason());
        exchange.sendResponseHeaders(204, -1);
      } else if (parts.length == 6 && parts[5].equals("results") && method.equals("GET")) {
        reply(exchange, 200, results.getOrDefault(run.id(), new ArrayList<>()));
      } else {
        reply(exchange, 404, new Problem("about:blank", "Not Found", 404, "no such endpoint", exchange.getRequestURI().getPath()));
      }
    }
  }

  private static void reply(HttpExchange exchange, int code, Object body) throws IOException {
    var bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().add("Content-Type", code >= 400 ? "application/problem+json" : "application/json");
    exchange.sendResponseHeaders(code, bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
