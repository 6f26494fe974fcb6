package dev.mm1.operator.simulation;

import io.fabric8.kubernetes.api.model.DeleteOptions;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The Fabric8 CRUD mock API server with the parts of a real API server that our controllers depend
 * on and the mock lacks:
 * <ul>
 *   <li>deletion with {@code propagationPolicy: Foreground} keeps the object, marked for deletion,
 *       with the {@code foregroundDeletion} finalizer (the garbage collector removes it once the
 *       dependents are gone); a pod deleted while it holds a finalizer keeps its grace period in
 *       {@code deletionGracePeriodSeconds};
 *   <li>field selectors on any field of a list ({@code involvedObject.name} of events), which the
 *       mock matches only on a few;
 *   <li>optimistic concurrency on subresources: a PUT of {@code status} from a stale copy is a 409;
 *   <li>lost answers: a write is done but its client hears an error;
 *   <li>admission: a request can be refused (a quota, a webhook) with a Kubernetes Status;
 *   <li>watch lag: the watches of clients other than the simulated cluster's own can run behind
 *       by a set time per resource, as an informer's events may arrive late and in any order
 *       between resources.
 * </ul>
 * Every request can be observed (method, path, user agent): the tests check the operator's calls
 * against its RBAC. Writes are serialized, so an admission check reads a store no other write changes.
 */
public final class SimulatedApiServer extends KubernetesCrudDispatcher {
  public static final String FOREGROUND_DELETION = "foregroundDeletion";

  /** A request as the API server received it. */
  public record Request(String method, String path, String userAgent, byte[] body) {
    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** An admission verdict against a request: HTTP {@code code}, a Status {@code reason} and message. */
  public record Refusal(int code, String reason, String message) {}

  /** Admits or refuses a write before it is stored; may read the store ({@link #get}, {@link #list}). */
  @FunctionalInterface
  public interface Admission {
    Optional<Refusal> admit(Request request, SimulatedApiServer store);
  }

  private final String clusterAgent;
  private final ReentrantLock writes = new ReentrantLock();
  private final List<Consumer<Request>> observers = new CopyOnWriteArrayList<>();
  private final List<Admission> admissions = new CopyOnWriteArrayList<>();
  private final List<LostAnswer> lostAnswers = new CopyOnWriteArrayList<>();
  private final Map<String, Duration> watchLag = new ConcurrentHashMap<>();
  private final ScheduledExecutorService lagged =
      Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("simulated-watch-lag").daemon().factory());

  /** @param clusterAgent the User-Agent of the simulated cluster's own clients (never lagged) */
  public SimulatedApiServer(String clusterAgent) {
    this.clusterAgent = clusterAgent;
  }

  public void observe(Consumer<Request> observer) {
    observers.add(observer);
  }

  public void admit(Admission admission) {
    admissions.add(admission);
  }

  public void removeAdmission(Admission admission) {
    admissions.remove(admission);
  }

  /**
   * The next write matching {@code which} is done, but its client gets {@code answer} instead (a
   * timeout through a load balancer, a dropped connection): it cannot know that its write happened.
   */
  public void loseAnswerOnce(java.util.function.Predicate<Request> which, Refusal answer) {
    lostAnswers.add(new LostAnswer(which, answer));
  }

  private record LostAnswer(java.util.function.Predicate<Request> which, Refusal answer) {}

  /** Events of {@code resource} (plural) reach other clients' watches {@code lag} late (zero: at once). */
  public void lagWatches(String resource, Duration lag) {
    watchLag.put(resource, lag);
  }

  @Override
  public MockResponse dispatch(RecordedRequest recorded) {
    var request = new Request(recorded.getMethod(), recorded.getPath(), recorded.getHeader("User-Agent"), recorded.getBody().getBytes());
    observers.forEach(o -> o.accept(request));
    if (recorded.method() == HttpMethod.GET) {
      var fields = FieldSelector.of(request.path());
      if (fields.isPresent() && !request.path().contains("watch=")) {
        return fields.get().list(this, recorded);
      }
      var response = super.dispatch(recorded);
      if (response.getWebSocketListener() != null && !clusterAgent.equals(request.userAgent())) {
        var resource = ApiPath.parse(request.path()).map(ApiPath::resource).orElse("");
        response.withWebSocketUpgrade(new LaggingListener(response.getWebSocketListener(), () -> watchLag.getOrDefault(resource, Duration.ZERO)));
      }
      return response;
    }
    writes.lock();
    try {
      for (var admission : admissions) {
        var refusal = admission.admit(request, this);
        if (refusal.isPresent()) {
          return status(refusal.get());
        }
      }
      var conflict = staleUpdate(request);
      if (conflict.isPresent()) {
        return status(conflict.get());
      }
      var lost = lostAnswers.stream().filter(l -> l.which().test(request)).findFirst();
      if (lost.isPresent() && lostAnswers.remove(lost.get())) {
        super.dispatch(recorded); // done, but the client never hears so
        return status(lost.get().answer());
      }
      return recorded.method() == HttpMethod.DELETE ? delete(recorded.getPath(), request.bodyText()) : super.dispatch(recorded);
    } finally {
      writes.unlock();
    }
  }

  /**
   * A PUT whose resourceVersion is not the stored one is a conflict, on the object and on its
   * subresources alike (the mock checks only the object: a status written from a stale copy would
   * go through and hide a user's edit from the writer).
   */
  private Optional<Refusal> staleUpdate(Request request) {
    var path = ApiPath.parse(request.path());
    if (!request.method().equals("PUT") || path.isEmpty() || path.get().name() == null || request.body().length == 0) {
      return Optional.empty();
    }
    var sent = Serialization.unmarshal(request.bodyText(), GenericKubernetesResource.class).getMetadata();
    if (sent == null || sent.getResourceVersion() == null || sent.getResourceVersion().isEmpty()) {
      return Optional.empty();
    }
    var objectPath = request.path().replaceAll("\\?.*", "");
    if (path.get().subresource() != null) {
      objectPath = objectPath.substring(0, objectPath.length() - path.get().subresource().length() - 1);
    }
    var stored = get(objectPath);
    if (stored.isEmpty() || sent.getResourceVersion().equals(stored.get().getMetadata().getResourceVersion())) {
      return Optional.empty();
    }
    return Optional.of(new Refusal(409, "Conflict", String.format("Operation cannot be fulfilled on %s \"%s\": the object has been modified;"
        + " please apply your changes to the latest version and try again", path.get().resourceWithSubresource(), path.get().name())));
  }

  /** The stored object at {@code path}, if any (for admissions and the simulated controllers' checks). */
  public Optional<GenericKubernetesResource> get(String path) {
    var response = super.handleGet(path);
    return response.code() == 200 ? Optional.of(Serialization.unmarshal(response.getBody().readUtf8(), GenericKubernetesResource.class)) : Optional.empty();
  }

  /** The stored objects a list request at {@code path} (with its label selector) returns. */
  public List<GenericKubernetesResource> list(String path) {
    var response = super.handleGet(path);
    if (response.code() != 200) {
      return List.of();
    }
    var list = Serialization.unmarshal(response.getBody().readUtf8(), io.fabric8.kubernetes.api.model.GenericKubernetesResourceList.class);
    return list.getItems() == null ? List.of() : list.getItems();
  }

  /**
   * DELETE as the API server does it for what we use: Foreground adds the foregroundDeletion
   * finalizer before the object is marked; a pod's grace period is kept on the marked pod.
   */
  private MockResponse delete(String path, String body) {
    var options = body.isBlank() ? new DeleteOptions() : Serialization.unmarshal(body, DeleteOptions.class);
    var current = ApiPath.parse(path).filter(p -> p.name() != null).flatMap(p -> get(path));
    if (current.isPresent() && current.get().getMetadata().getDeletionTimestamp() == null) {
      var object = current.get();
      boolean changed = false;
      if ("Foreground".equals(options.getPropagationPolicy())) {
        var finalizers = new ArrayList<>(object.getMetadata().getFinalizers() == null ? List.<String>of() : object.getMetadata().getFinalizers());
        if (!finalizers.contains(FOREGROUND_DELETION)) {
          finalizers.add(FOREGROUND_DELETION);
          object.getMetadata().setFinalizers(finalizers);
          changed = true;
        }
      }
      if ("Pod".equals(object.getKind()) && !object.getMetadata().getFinalizers().isEmpty()) {
        object.getMetadata().setDeletionGracePeriodSeconds(options.getGracePeriodSeconds() != null ? options.getGracePeriodSeconds() : gracePeriod(object));
        changed = true;
      }
      if (changed) {
        var headers = Headers.builder().add("Content-Type", "application/json").build();
        var put = new RecordedRequest("HTTP/1.1", HttpMethod.PUT, path.replaceAll("\\?.*", ""), headers,
            new Buffer(Serialization.asJson(object).getBytes(StandardCharsets.UTF_8)));
        super.handleUpdate(put);
      }
    }
    return super.handleDelete(path);
  }

  /** A list request's field selector ({@code a.b=c,d!=e}), applied to the stored objects by this server. */
  private record FieldSelector(String pathWithout, List<String[]> terms) {
    static Optional<FieldSelector> of(String path) {
      int q = path.indexOf('?');
      if (q < 0) {
        return Optional.empty();
      }
      var kept = new ArrayList<String>();
      String selector = null;
      for (var parameter : path.substring(q + 1).split("&")) {
        if (parameter.startsWith("fieldSelector=")) {
          selector = java.net.URLDecoder.decode(parameter.substring("fieldSelector=".length()), StandardCharsets.UTF_8);
        } else {
          kept.add(parameter);
        }
      }
      if (selector == null || selector.isBlank()) {
        return Optional.empty();
      }
      var terms = new ArrayList<String[]>();
      for (var term : selector.split(",")) {
        boolean negated = term.contains("!=");
        var parts = term.split(negated ? "!=" : "==?", 2);
        terms.add(new String[] {parts[0].trim(), parts.length > 1 ? parts[1].trim() : "", negated ? "!=" : "="});
      }
      return Optional.of(new FieldSelector(path.substring(0, q) + (kept.isEmpty() ? "" : "?" + String.join("&", kept)), terms));
    }

    MockResponse list(SimulatedApiServer server, RecordedRequest recorded) {
      var response = server.handleGet(pathWithout);
      if (response.code() != 200) {
        return response;
      }
      var list = (com.fasterxml.jackson.databind.node.ObjectNode) Serialization.unmarshal(response.getBody().readUtf8(), com.fasterxml.jackson.databind.JsonNode.class);
      var items = list.withArray("items");
      for (int i = items.size() - 1; i >= 0; i--) {
        var item = items.get(i);
        boolean matches = terms.stream().allMatch(term -> {
          var node = item;
          for (var field : term[0].split("\\.")) {
            node = node.path(field);
          }
          return node.asText("").equals(term[1]) == term[2].equals("=");
        });
        if (!matches) {
          items.remove(i);
        }
      }
      return new MockResponse().setResponseCode(200).setBody(Serialization.asJson(list));
    }
  }

  private static long gracePeriod(GenericKubernetesResource pod) {
    var spec = (Map<?, ?>) pod.getAdditionalProperties().get("spec");
    var seconds = spec == null ? null : spec.get("terminationGracePeriodSeconds");
    return seconds instanceof Number n ? n.longValue() : 30;
  }

  private static MockResponse status(Refusal refusal) {
    var status = new StatusBuilder().withStatus("Failure").withCode(refusal.code()).withReason(refusal.reason())
        .withMessage(refusal.message()).build();
    return new MockResponse().setResponseCode(refusal.code()).setBody(Serialization.asJson(status));
  }

  /** Hands a watch's events to its client {@code lag} late, in order. */
  private final class LaggingListener extends WebSocketListener {
    private final WebSocketListener watch;
    private final java.util.function.Supplier<Duration> lag;

    LaggingListener(WebSocketListener watch, java.util.function.Supplier<Duration> lag) {
      this.watch = watch;
      this.lag = lag;
    }

    @Override
    public void onOpen(WebSocket socket, Response response) {
      watch.onOpen(new LaggingSocket(socket, lag), response);
    }

    @Override
    public void onMessage(WebSocket socket, String text) {
      watch.onMessage(socket, text);
    }

    @Override
    public void onClosing(WebSocket socket, int code, String reason) {
      watch.onClosing(socket, code, reason);
    }

    @Override
    public void onClosed(WebSocket socket, int code, String reason) {
      watch.onClosed(socket, code, reason);
    }

    @Override
    public void onFailure(WebSocket socket, Throwable error, Response response) {
      watch.onFailure(socket, error, response);
    }
  }

  private final class LaggingSocket implements WebSocket {
    private final WebSocket socket;
    private final java.util.function.Supplier<Duration> lag;
    private long lastDue;
    private int waiting;

    LaggingSocket(WebSocket socket, java.util.function.Supplier<Duration> lag) {
      this.socket = socket;
      this.lag = lag;
    }

    @Override
    public RecordedRequest request() {
      return socket.request();
    }

    @Override
    public synchronized boolean send(String text) {
      long now = System.nanoTime();
      long due = Math.max(now + lag.get().toNanos(), lastDue);
      if (due <= now && waiting == 0) {
        return socket.send(text);
      }
      lastDue = due;
      waiting++;
      lagged.schedule(() -> {
        synchronized (this) {
          waiting--;
          socket.send(text);
        }
      }, due - now, TimeUnit.NANOSECONDS);
      return true;
    }

    @Override
    public boolean send(byte[] bytes) {
      return send(new String(bytes, StandardCharsets.UTF_8));
    }

    @Override
    public boolean close(int code, String reason) {
      return socket.close(code, reason);
    }
  }
}
