package dev.mm1.controlplane.runs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mm1.api.rest.CreateRunRequest;
import dev.mm1.api.rest.Lineage;
import dev.mm1.api.rest.Run;
import dev.mm1.api.rest.RunEvent;
import dev.mm1.api.rest.RunKind;
import dev.mm1.api.rest.StateTransition;
import dev.mm1.controlplane.events.RunEvents;
import dev.mm1.controlplane.problem.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.util.Optional;
import java.util.regex.Pattern;

/** Registration, lookup, state transitions and lineage of runs; checks every field it is given. */
@ApplicationScoped
public class RunService {
  /** Kubernetes object names (RFC 1123 subdomain), which CR names and namespaces are. */
  private static final Pattern KUBERNETES_NAME = Pattern.compile("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$");
  private static final Pattern REASON = Pattern.compile("^[A-Za-z][A-Za-z0-9]{0,63}$");
  /** Far above any restart budget; bounds what a typo can put into the audit trail. */
  private static final int MAX_ATTEMPT = 1_000_000;

  private final RunRepository runs;
  private final RunEvents events;

  RunService(RunRepository runs, RunEvents events) {
    this.runs = runs;
    this.events = events;
  }

  public RunRepository.Registered register(CreateRunRequest request, String actor) throws SQLException {
    if (request == null) {
      throw ApiException.badRequest("the request body is required: {name, namespace, kind, externalId, parentRunId?, spec?}");
    }
    requireName("name", request.name());
    requireName("namespace", request.namespace());
    if (request.kind() == null) {
      throw ApiException.badRequest("kind is required: one of Training, Eval");
    }
    if (request.externalId() == null || request.externalId().isBlank() || request.externalId().length() > 256) {
      throw ApiException.badRequest("externalId is required (1 to 256 characters, e.g. the custom resource's UID)");
    }
    if (request.spec() != null && !request.spec().isObject()) {
      throw ApiException.badRequest("spec must be a JSON object, not " + request.spec().getNodeType().name().toLowerCase());
    }
    Long parent = null;
    if (request.parentRunId() != null) {
      parent = runs.find(request.parentRunId())
          .orElseThrow(() -> ApiException.badRequest("parentRunId: no run with id '" + request.parentRunId() + "'"))
          .id();
    }
    RunRepository.Registered registered = runs.register(request, parent, totalSteps(request), actor);
    Run run = registered.run().run();
    if (!registered.created() && (!run.name().equals(request.name()) || !run.namespace().equals(request.namespace())
        || run.kind() != request.kind())) {
      throw ApiException.conflict("externalId '" + request.externalId() + "' is already registered as run " + run.id()
          + " (" + run.kind() + " " + run.namespace() + "/" + run.name() + ")");
    }
    if (registered.created()) {
      events.publish(new RunEvent(run.id(), "created", null, run.state()));
    }
    return registered;
  }

  private static Long totalSteps(CreateRunRequest request) {
    if (request.kind() != RunKind.Training || request.spec() == null) {
      return null;
    }
    JsonNode steps = request.spec().path("optimization").path("steps");
    return steps.canConvertToLong() ? steps.asLong() : null;
  }

  /** The run with this id, or a 404 naming the id. */
  public RunView get(String id) throws SQLException {
    return runs.find(id).orElseThrow(() -> ApiException.notFound("no run with id '" + id + "'"));
  }

  /** The id of an existing run, or a 404 naming the id; cheaper than {@link #get}. */
  public long existingId(String id) throws SQLException {
    Optional<Long> parsed = runs.resolveId(id);
    if (parsed.isEmpty() || !runs.exists(parsed.get())) {
      throw ApiException.notFound("no run with id '" + id + "'");
    }
    return parsed.get();
  }

  /** The run's numeric id from its id or externalId, or a 404 naming it; a numeric id is not looked up. */
  public long resolveId(String id) throws SQLException {
    return runs.resolveId(id).orElseThrow(() -> ApiException.notFound("no run with id or externalId '" + id + "'"));
  }

  public RunView transition(String id, StateTransition transition, String actor) throws SQLException {
    if (transition == null || transition.state() == null) {
      throw ApiException.badRequest("state is required: one of Pending, Running, Restarting, Suspended, Succeeded, Failed, Cancelled");
    }
    if (transition.reason() != null && !REASON.matcher(transition.reason()).matches()) {
      throw ApiException.badRequest("reason: '" + transition.reason() + "' is not a CamelCase word (letters and digits, up to 64)");
    }
    if (transition.message() != null && transition.message().length() > 4096) {
      throw ApiException.badRequest("message is " + transition.message().length() + " characters; the limit is 4096");
    }
    if (transition.attempt() != null && (transition.attempt() < 1 || transition.attempt() > MAX_ATTEMPT)) {
      throw ApiException.badRequest("attempt: " + transition.attempt() + " is outside 1.." + MAX_ATTEMPT);
    }
    long runId = get(id).id();
    RunRepository.Transitioned result = runs.transition(runId, transition.state(), transition.reason(),
            transition.message(), transition.attempt(), actor)
        .orElseThrow(() -> ApiException.notFound("no run with id '" + id + "'"));
    if (result.changed()) {
      events.publish(new RunEvent(id, "state", null, transition.state()));
    }
    return result.run();
  }

  public java.util.List<RunView> list(RunFilter filter) throws SQLException {
    return runs.list(filter);
  }

  public java.util.List<dev.mm1.api.rest.RunStateChange> transitions(String id) throws SQLException {
    return runs.transitions(get(id).id());
  }

  public Lineage lineage(String id) throws SQLException {
    RunView run = get(id);
    return new Lineage(run.run(),
        runs.ancestors(run.id()).stream().map(RunView::run).toList(),
        runs.descendants(run.id()).stream().map(RunView::run).toList());
  }

  /** Checks a Kubernetes name, naming the field when it is not one. */
  public void checkName(String field, String value) {
    requireName(field, value);
  }

  private static void requireName(String field, String value) {
    if (value == null || value.isBlank()) {
      throw ApiException.missing(field);
    }
    if (!KUBERNETES_NAME.matcher(value).matches()) {
      throw ApiException.badRequest(field + ": '" + value
          + "' is not a Kubernetes name (lower-case letters, digits, '-' and '.', at most 253)");
    }
  }
}
