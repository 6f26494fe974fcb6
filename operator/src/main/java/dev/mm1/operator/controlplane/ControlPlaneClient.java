package dev.mm1.operator.controlplane;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.mm1.api.rest.CreateRunRequest;
import dev.mm1.api.rest.EvalResultRecord;
import dev.mm1.api.rest.Problem;
import dev.mm1.api.rest.Run;
import dev.mm1.api.rest.StateTransition;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The control plane's REST API ({@code /api/v1}) as the operator uses it: register a run, read its
 * progress, record state transitions and read eval results. Every failure is a
 * {@link ControlPlaneException} naming the URL and what went wrong.
 */
public final class ControlPlaneClient {
  static final ObjectMapper JSON = JsonMapper.builder()
      .addModule(new JavaTimeModule())
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .build();

  private final Optional<URI> base;
  private final Optional<String> token;
  private final HttpClient http;
  /** Short: calls run on background threads, but a hanging control plane should free them soon. */
  private final Duration timeout = Duration.ofSeconds(3);

  public ControlPlaneClient(Optional<URI> base, Optional<String> token) {
    this.base = base.map(url -> URI.create(url.toString().replaceAll("/+$", "") + "/"));
    this.token = token;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  /** Whether a control plane is configured at all. */
  public boolean configured() {
    return base.isPresent();
  }

  /** The configured base URL, for messages. */
  public String url() {
    return base.map(URI::toString).orElse("(none)");
  }

  /** {@code POST /api/v1/runs}; idempotent on the request's externalId. */
  public Run register(CreateRunRequest request) throws ControlPlaneException {
    return send(post("api/v1/runs", request), new TypeReference<Run>() {});
  }

  /** {@code GET /api/v1/runs/{id}}: the run with its latest step, loss and checkpoint. */
  public Run run(String runId) throws ControlPlaneException {
    return send(get("api/v1/runs/" + encode(runId)), new TypeReference<Run>() {});
  }

  /** {@code POST /api/v1/runs/{id}/state}. */
  public void transition(String runId, StateTransition transition) throws ControlPlaneException {
    send(post("api/v1/runs/" + encode(runId) + "/state", transition), null);
  }

  /** {@code GET /api/v1/runs/{id}/results}: the scores an eval run posted. */
  public List<EvalResultRecord> results(String runId) throws ControlPlaneException {
    return send(get("api/v1/runs/" + encode(runId) + "/results"), new TypeReference<List<EvalResultRecord>>() {});
  }

  private HttpRequest.Builder request(String path) throws ControlPlaneException {
    var url = base.orElseThrow(() -> new ControlPlaneException("no control plane URL is configured")).resolve(path);
    var builder = HttpRequest.newBuilder(url).timeout(timeout).header("Accept", "application/json");
    token.ifPresent(t -> builder.header("Authorization", "Bearer " + t));
    return builder;
  }

  private HttpRequest get(String path) throws ControlPlaneException {
    return request(path).GET().build();
  }

  private HttpRequest post(String path, Object body) throws ControlPlaneException {
    try {
      return request(path)
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
          .build();
    } catch (IOException e) {
      throw new ControlPlaneException("cannot encode request to " + path + ": " + e.getMessage(), e);
    }
  }

  private <T> T send(HttpRequest request, TypeReference<T> type) throws ControlPlaneException {
    var what = request.method() + " " + request.uri();
    HttpResponse<byte[]> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new ControlPlaneException(what + " failed: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ControlPlaneException(what + " was interrupted", e);
    }
    if (response.statusCode() / 100 != 2) {
      throw new ControlPlaneException(what + " answered " + response.statusCode() + problemDetail(response.body()), response.statusCode());
    }
    if (type == null) {
      return null;
    }
    try {
      return JSON.readValue(response.body(), type);
    } catch (IOException e) {
      throw new ControlPlaneException(what + " answered with a body that is not the expected JSON: " + e.getMessage(), e);
    }
  }

  private static String problemDetail(byte[] body) {
    try {
      var problem = JSON.readValue(body, Problem.class);
      return problem.detail() == null ? "" : ": " + problem.detail();
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
