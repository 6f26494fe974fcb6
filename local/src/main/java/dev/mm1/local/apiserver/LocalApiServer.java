package dev.mm1.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A Kubernetes API server for one machine: plain HTTP on 127.0.0.1, no authentication, objects
 * kept in memory ({@link ObjectStore}) and saved to a file, so a restart finds its objects again
 * (as etcd would keep them). It serves what kubectl, client-go style clients and the operator use:
 * discovery, OpenAPI v3, CRUD with the API server's admission and deletion rules, watches as
 * HTTP streams, field selectors, server-side printing (Tables) and pod logs.
 */
public final class LocalApiServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(LocalApiServer.class.getName());
  /** Events older than this are not kept across restarts (the API server's default event TTL). */
  static final Duration EVENT_TTL = Duration.ofHours(1);

  private final HttpServer server;
  private final ObjectStore store = new ObjectStore();
  private final Discovery discovery = new Discovery(store);
  private final Path stateFile;
  private final ScheduledExecutorService saver = Executors.newSingleThreadScheduledExecutor(r -> {
    var thread = new Thread(r, "api-state-saver");
    thread.setDaemon(true);
    return thread;
  });
  private volatile PodLogs podLogs = PodLogs.NONE;
  private long savedChanges = -1;

  private LocalApiServer(HttpServer server, Path stateFile) {
    this.server = server;
    this.stateFile = stateFile;
  }

  /**
   * Starts the server on {@code address} (port 0: any free port) with the objects saved in
   * {@code stateFile} (none when it does not exist yet; null keeps nothing), and installs
   * {@code crds} (created, or replaced when their spec changed).
   */
  public static LocalApiServer start(InetSocketAddress address, Path stateFile, List<CustomResourceDefinition> crds) throws IOException {
    var http = HttpServer.create(address, 64);
    var server = new LocalApiServer(http, stateFile);
    server.restore();
    http.createContext("/", server::handle);
    http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    http.start();
    try (var client = server.client()) {
      for (var crd : crds) {
        client.apiextensions().v1().customResourceDefinitions().resource(crd).createOr(existing -> existing.update());
      }
      var ns = new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName("default").endMetadata()
          .withNewStatus().withPhase("Active").endStatus().build();
      if (client.namespaces().withName("default").get() == null) {
        client.namespaces().resource(ns).create();
      }
    }
    if (stateFile != null) {
      server.saver.scheduleWithFixedDelay(server::saveQuietly, 2, 2, TimeUnit.SECONDS);
    }
    return server;
  }

  public URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** A client of this server (the caller closes it); watches go over HTTP, as this server serves them. */
  public KubernetesClient client() {
    return new KubernetesClientBuilder().withConfig(clientConfig()).build();
  }

  /** Client configuration for this server: no TLS, no token, HTTP watches. */
  public Config clientConfig() {
    return new ConfigBuilder(Config.empty()).withMasterUrl(url().toString()).withNamespace("default")
        .withOnlyHttpWatches(true).withRequestRetryBackoffLimit(3).build();
  }

  /** Lets {@code kubectl logs} read what the node agent's containers wrote. */
  public void podLogs(PodLogs logs) {
    this.podLogs = logs;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      route(exchange);
    } catch (IllegalArgumentException e) {
      reply(exchange, ApiStatus.of(400, "BadRequest", e.getMessage()));
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "request " + exchange.getRequestMethod() + " " + exchange.getRequestURI() + " failed", e);
      reply(exchange, ApiStatus.of(500, "InternalError", "the local API server failed: " + e));
    }
  }

  private void route(HttpExchange exchange) throws IOException {
    var uri = exchange.getRequestURI();
    var rawPath = uri.getRawPath();
    var method = exchange.getRequestMethod();
    switch (rawPath) {
      case "/version", "/version/" -> {
        json(exchange, 200, discovery.version());
        return;
      }
      case "/healthz", "/readyz", "/livez" -> {
        text(exchange, 200, "ok");
        return;
      }
      case "/api", "/api/" -> {
        json(exchange, 200, discovery.apiVersions("127.0.0.1:" + server.getAddress().getPort()));
        return;
      }
      case "/apis", "/apis/" -> {
        json(exchange, 200, discovery.groupList());
        return;
      }
      case "/openapi/v3", "/openapi/v3/" -> {
        json(exchange, 200, discovery.openApiRoot());
        return;
      }
      default -> {
        // a resource path
      }
    }
    if (rawPath.startsWith("/openapi/v3/")) {
      var gv = rawPath.substring("/openapi/v3/".length()).split("/");
      var document = gv.length == 2 && gv[0].equals("api") ? discovery.openApi("", gv[1])
          : gv.length == 3 ? discovery.openApi(gv[1], gv[2]) : java.util.Optional.<com.fasterxml.jackson.databind.node.ObjectNode>empty();
      if (document.isPresent()) {
        json(exchange, 200, document.get());
      } else {
        reply(exchange, ApiStatus.of(404, "NotFound", "no OpenAPI document at " + rawPath));
      }
      return;
    }
    var segments = rawPath.replaceAll("^/+|/+$", "").split("/");
    if (segments.length == 2 && segments[0].equals("apis")) {
      var group = discovery.group(segments[1]);
      if (group.isPresent()) {
        json(exchange, 200, group.get());
      } else {
        notFound(exchange);
      }
      return;
    }
    var parsed = ApiPath.parse(rawPath, uri.getRawQuery(), store::namespacedPlural);
    if (parsed.isEmpty()) {
      notFound(exchange);
      return;
    }
    var path = parsed.get();
    if (path.plural() == null) {
      var resources = discovery.resources(path.group(), path.version());
      if (resources.isPresent()) {
        json(exchange, 200, resources.get());
      } else {
        notFound(exchange);
      }
      return;
    }
    var type = store.type(path.group(), path.version(), path.plural());
    if (type.isEmpty()) {
      notFound(exchange);
      return;
    }
    if (method.equals("GET") && "log".equals(path.subresource()) && type.get().kind().equals("Pod")) {
      logs(exchange, path);
      return;
    }
    if (method.equals("GET") && path.watch()) {
      HttpWatch.serve(exchange, store, path, type.get());
      return;
    }
    if (path.query().containsKey("dryRun")) {
      reply(exchange, ApiStatus.of(400, "BadRequest", "dryRun is not supported by the local API server; apply without --dry-run=server"));
      return;
    }
    resource(exchange, path, type.get());
  }

  private void resource(HttpExchange exchange, ApiPath path, ResourceType type) throws IOException {
    var method = HttpMethod.valueOf(exchange.getRequestMethod());
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readAllBytes();
    }
    var contentType = exchange.getRequestHeaders().getFirst("Content-Type");
    if (contentType != null && contentType.contains("protobuf")) {
      reply(exchange, ApiStatus.of(415, "UnsupportedMediaType", "the local API server speaks JSON only; send application/json"));
      return;
    }
    if (method == HttpMethod.PATCH && contentType != null && contentType.contains("strategic-merge-patch")) {
      // No Go structs here to read patch strategies from: a strategic merge patch is applied as a JSON
      // merge patch (lists are replaced, not merged by key), after its $-directives are dropped.
      body = mergePatchOf(body);
      contentType = "application/merge-patch+json";
    }
    var headers = Headers.builder();
    if (contentType != null) {
      headers.add("Content-Type", contentType);
    }
    var request = new RecordedRequest("HTTP/1.1", method, path.storePath(), headers.build(), new Buffer(body));
    var reply = store.serve(request, path);
    var response = reply.response();
    var responseBody = response.getBody() == null ? "" : response.getBody().readUtf8();
    int code = response.code();
    for (var warning : reply.warnings()) {
      exchange.getResponseHeaders().add("Warning", "299 - \"" + warning.replace("\"", "'") + "\"");
    }
    if (code == 404 && responseBody.isEmpty()) {
      reply(exchange, ApiStatus.notFound(path.plural(), path.group(), path.name() == null ? "" : path.name()));
      return;
    }
    if (code >= 400) {
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      send(exchange, code, responseBody.getBytes(StandardCharsets.UTF_8));
      return;
    }
    if (method == HttpMethod.GET) {
      var object = ObjectStore.parse(responseBody);
      if (path.name() == null) {
        object = filtered(object, FieldSelector.parse(path.query().get("fieldSelector")));
      }
      if (Tables.wanted(exchange.getRequestHeaders().getFirst("Accept"))) {
        var objects = new ArrayList<JsonNode>();
        if (path.name() == null) {
          object.path("items").forEach(objects::add);
        } else {
          objects.add(object);
        }
        var version = object.path("metadata").path("resourceVersion").asText(null);
        var table = Tables.table(type, objects, path.query().getOrDefault("includeObject", "Metadata"), version, Instant.now());
        exchange.getResponseHeaders().set("Content-Type", "application/json;as=Table;v=v1;g=meta.k8s.io");
        send(exchange, 200, table.toString().getBytes(StandardCharsets.UTF_8));
        return;
      }
      if (path.name() == null) {
        // Lists carry the items' kind, as the API server writes them.
        var list = (com.fasterxml.jackson.databind.node.ObjectNode) object;
        list.put("kind", type.kind() + "List").put("apiVersion", type.apiVersion());
      }
      json(exchange, code, object);
      return;
    }
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    send(exchange, code == 202 ? 200 : code, responseBody.getBytes(StandardCharsets.UTF_8));
  }

  private static JsonNode filtered(JsonNode list, FieldSelector selector) {
    if (selector.requirements().isEmpty() || !(list.path("items") instanceof ArrayNode items)) {
      return list;
    }
    var kept = ApiStatus.JSON.createArrayNode();
    items.forEach(item -> {
      if (selector.matches(item)) {
        kept.add(item);
      }
    });
    ((com.fasterxml.jackson.databind.node.ObjectNode) list).set("items", kept);
    return list;
  }

  private static byte[] mergePatchOf(byte[] strategic) {
    var patch = ObjectStore.parse(new String(strategic, StandardCharsets.UTF_8));
    dropDirectives(patch);
    return patch.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void dropDirectives(JsonNode node) {
    if (node instanceof com.fasterxml.jackson.databind.node.ObjectNode object) {
      var names = new ArrayList<String>();
      object.fieldNames().forEachRemaining(names::add);
      for (var name : names) {
        if (name.startsWith("$")) {
          object.remove(name);
        } else {
          dropDirectives(object.get(name));
        }
      }
    } else if (node instanceof ArrayNode array) {
      array.forEach(LocalApiServer::dropDirectives);
    }
  }

  /** {@code kubectl logs [-f] [--tail N]}: the container's output file, followed while it runs. */
  private void logs(HttpExchange exchange, ApiPath path) throws IOException {
    var container = path.query().get("container");
    var file = podLogs.file(path.namespace(), path.name(), container);
    if (file.isEmpty()) {
      reply(exchange, ApiStatus.of(400, "BadRequest", "container of pod \"" + path.name() + "\" has not started here; no logs yet"));
      return;
    }
    boolean follow = "true".equals(path.query().get("follow"));
    Integer tail = path.query().containsKey("tailLines") ? Integer.valueOf(path.query().get("tailLines")) : null;
    exchange.getResponseHeaders().set("Content-Type", "text/plain");
    exchange.sendResponseHeaders(200, 0);
    var out = exchange.getResponseBody();
    long position = 0;
    if (tail != null && Files.exists(file.get())) {
      var lines = Files.readAllLines(file.get(), StandardCharsets.UTF_8);
      var last = lines.subList(Math.max(0, lines.size() - tail), lines.size());
      for (var line : last) {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      }
      position = Files.size(file.get());
    }
    while (true) {
      boolean running = podLogs.running(path.namespace(), path.name(), container);
      if (Files.exists(file.get())) {
        try (var raf = new RandomAccessFile(file.get().toFile(), "r")) {
          if (raf.length() > position) {
            raf.seek(position);
            var chunk = new byte[(int) Math.min(raf.length() - position, 1 << 20)];
            raf.readFully(chunk);
            position += chunk.length;
            out.write(chunk);
            out.flush();
            continue;
          }
        }
      }
      if (!follow || !running) {
        break;
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
  }

  private static void notFound(HttpExchange exchange) throws IOException {
    reply(exchange, ApiStatus.of(404, "NotFound", "the server could not find the requested resource"));
  }

  private static void reply(HttpExchange exchange, ApiStatus.Failure failure) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    send(exchange, failure.code(), failure.body().getBytes(StandardCharsets.UTF_8));
  }

  private static void json(HttpExchange exchange, int code, JsonNode body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    send(exchange, code, body.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static void text(HttpExchange exchange, int code, String body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "text/plain");
    send(exchange, code, body.getBytes(StandardCharsets.UTF_8));
  }

  private static void send(HttpExchange exchange, int code, byte[] body) throws IOException {
    exchange.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      exchange.getResponseBody().write(body);
    }
  }

  private void restore() throws IOException {
    if (stateFile == null || !Files.exists(stateFile)) {
      return;
    }
    var saved = ObjectStore.parse(Files.readString(stateFile));
    var objects = new ArrayList<JsonNode>();
    saved.forEach(objects::add);
    store.restore(objects);
    LOG.info(() -> "restored " + objects.size() + " objects from " + stateFile);
  }

  private synchronized void saveQuietly() {
    try {
      save();
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "saving the API objects to " + stateFile + " failed", e);
    }
  }

  /** Writes every object to the state file (atomically), unless nothing changed since the last save. */
  synchronized void save() throws IOException {
    long changes = store.changes();
    if (stateFile == null || changes == savedChanges) {
      return;
    }
    var array = ApiStatus.JSON.createArrayNode();
    var oldest = Instant.now().minus(EVENT_TTL);
    for (var object : store.snapshot()) {
      var kind = object.path("kind").asText();
      if (kind.equals("Lease")) {
        continue; // leader leases are about running processes, which a restart does not keep
      }
      if (kind.equals("Event") && eventTime(object).isBefore(oldest)) {
        continue;
      }
      array.add(object);
    }
    Files.createDirectories(stateFile.getParent());
    var temporary = stateFile.resolveSibling(stateFile.getFileName() + ".tmp");
    Files.writeString(temporary, array.toString());
    Files.move(temporary, stateFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    savedChanges = changes;
  }

  private static Instant eventTime(JsonNode event) {
    for (var field : List.of("lastTimestamp", "eventTime", "firstTimestamp")) {
      var text = event.path(field).asText("");
      if (!text.isEmpty()) {
        try {
          return Instant.parse(text);
        } catch (RuntimeException ignored) {
          // try the next field
        }
      }
    }
    return Instant.parse(event.path("metadata").path("creationTimestamp").asText(Instant.now().toString()));
  }

  @Override
  public void close() {
    server.stop(0);
    saver.shutdownNow();
    saveQuietly();
  }
}
