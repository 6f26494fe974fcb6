package dev.mm1.evaluator.gate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.mm1.api.rest.CreateEvalRequest;
import dev.mm1.api.rest.EvalResultRecord;
import dev.mm1.api.rest.Problem;
import dev.mm1.api.rest.Run;
import dev.mm1.api.rest.RunStateChange;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * The calls the gate makes to the control plane's REST API ({@code /api/v1}, bearer token), with
 * the {@code api} module's records as bodies. Every failure is a {@link ControlPlaneException}
 * saying what failed: the connection, or the server's problem detail.
 */
final class ControlPlane {
  private static final ObjectMapper JSON = JsonMapper.builder()
      .addModule(new JavaTimeModule())
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .build();

  private final URI base;
  private final String token;
  private final HttpClient http;
  private final Duration requestTimeout;

  ControlPlane(URI base, String token, Duration requestTimeout) {
    this.base = base;
    this.token = token;
    this.requestTimeout = requestTimeout;
    this.http = HttpClient.newBuilder().connectTimeout(requestTimeout).build();
  }

  /** {@code POST /api/v1/evals}: creates the MM1Eval; returns its run. */
  Run createEval(CreateEvalRequest request) throws ControlPlaneException {
    return send("POST", "/api/v1/evals", request, new TypeReference<>() {});
  }

  Run run(String runId) throws ControlPlaneException {
    return send("GET", "/api/v1/runs/" + encode(runId), null, new TypeReference<>() {});
  }

  List<EvalResultRecord> results(String runId) throws ControlPlaneException {
    return send("GET", "/api/v1/runs/" + encode(runId) + "/results", null, new TypeReference<>() {});
  }

  List<RunStateChange> transitions(String runId) throws ControlPlaneException {
    return send("GET", "/api/v1/runs/" + encode(runId) + "/transitions", null, new TypeReference<>() {});
  }

  /** Eval runs whose name or namespace contains {@code search}, newest first; namespace may be null. */
  List<Run> evalRuns(String search, String namespace) throws ControlPlaneException {
    String query = "/api/v1/runs?kind=Eval&limit=1000&q=" + encode(search)
        + (namespace == null ? "" : "&namespace=" + encode(namespace));
    return send("GET", query, null, new TypeReference<>() {});
  }

  private <T> T send(String method, String path, Object body, TypeReference<T> type) throws ControlPlaneException {
    URI uri = base.resolve(path);
    HttpRequest.Builder request = HttpRequest.newBuilder(uri)
        .timeout(requestTimeout)
        .header("Authorization", "Bearer " + token)
        .header("Accept", "application/json");
    try {
      if (body == null) {
        request.method(method, HttpRequest.BodyPublishers.noBody());
      } else {
        request.header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
      }
      HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      if (response.statusCode() / 100 != 2) {
        throw new ControlPlaneException(method + " " + uri + " answered HTTP " + response.statusCode() + ": "
            + problemDetail(response.body()));
      }
      return JSON.readValue(response.body(), type);
    } catch (HttpConnectTimeoutException | ConnectException e) {
      throw new ControlPlaneException("cannot reach the control plane at " + base + " (" + describe(e) + ")", e);
    } catch (HttpTimeoutException e) {
      throw new ControlPlaneException(method + " " + uri + " got no answer within " + requestTimeout.toSeconds() + " s", e);
    } catch (JsonProcessingException e) {
      throw new ControlPlaneException(method + " " + uri + " answered something that is not the expected JSON: "
          + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new ControlPlaneException("cannot reach the control plane at " + base + " (" + describe(e) + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ControlPlaneException("interrupted while calling " + uri, e);
    }
  }

  private static String problemDetail(String body) {
    try {
      Problem problem = JSON.readValue(body, Problem.class);
      if (problem.detail() != null) {
        return problem.detail();
      }
    } catch (JsonProcessingException e) {
      // not problem details: show the body as it is
    }
    return body.isBlank() ? "(no body)" : body.length() > 300 ? body.substring(0, 300) + "..." : body;
  }

  private static String describe(Exception e) {
    return e.getMessage() != null ? e.getClass().getSimpleName() + ": " + e.getMessage() : e.getClass().getSimpleName();
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
