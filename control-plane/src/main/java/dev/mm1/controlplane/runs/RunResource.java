package dev.mm1.controlplane.runs;

import dev.mm1.api.rest.CheckpointRecord;
import dev.mm1.api.rest.CreateRunRequest;
import dev.mm1.api.rest.EvalResultRecord;
import dev.mm1.api.rest.IngestResult;
import dev.mm1.api.rest.Lineage;
import dev.mm1.api.rest.MetricBatch;
import dev.mm1.api.rest.MetricSeries;
import dev.mm1.api.rest.Run;
import dev.mm1.api.rest.RunEvent;
import dev.mm1.api.rest.RunKind;
import dev.mm1.api.rest.RunState;
import dev.mm1.api.rest.RunStateChange;
import dev.mm1.api.rest.StateTransition;
import dev.mm1.controlplane.auth.CurrentCaller;
import dev.mm1.controlplane.auth.RequiresScope;
import dev.mm1.controlplane.auth.Scope;
import dev.mm1.controlplane.events.RunEvents;
import dev.mm1.controlplane.evals.EvalService;
import dev.mm1.controlplane.metrics.MetricService;
import dev.mm1.controlplane.problem.ApiException;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response.Status;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.RestStreamElementType;

/** Runs: registration, listing, state, metrics, checkpoints, eval results, lineage, live events. */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
public class RunResource {
  private final RunService runs;
  private final MetricService metrics;
  private final EvalService evals;
  private final RunEvents events;
  private final CurrentCaller caller;

  RunResource(RunService runs, MetricService metrics, EvalService evals, RunEvents events, CurrentCaller caller) {
    this.runs = runs;
    this.metrics = metrics;
    this.evals = evals;
    this.events = events;
    this.caller = caller;
  }

  /** Registers a run; 201 when created, 200 with the existing run when its externalId is known. */
  @POST
  @Path("/runs")
  @RequiresScope(Scope.INGEST)
  public RestResponse<Run> create(CreateRunRequest request) throws SQLException {
    RunRepository.Registered registered = runs.register(request, caller.name());
    return RestResponse.status(registered.created() ? Status.CREATED : Status.OK, registered.run().run());
  }

  /** Runs, newest first, filtered by state, kind, namespace, parent and a search string. */
  @GET
  @Path("/runs")
  @RequiresScope(Scope.READ)
  public List<Run> list(
      @QueryParam("state") String state, @QueryParam("kind") String kind, @QueryParam("namespace") String namespace,
      @QueryParam("q") String search, @QueryParam("parentRunId") String parentRunId,
      @QueryParam("limit") Integer limit, @QueryParam("offset") Integer offset) throws SQLException {
    return runs.list(filter(state, kind, namespace, search, parentRunId, limit, offset)).stream().map(RunView::run).toList();
  }

  /** Builds a {@link RunFilter} from query parameters, naming the one that is wrong. */
  public static RunFilter filter(String state, String kind, String namespace, String search, String parentRunId,
      Integer limit, Integer offset) {
    int rows = limit == null ? 100 : limit;
    if (rows < 1 || rows > 1000) {
      throw ApiException.badRequest("limit: " + rows + " is outside 1..1000");
    }
    int skip = offset == null ? 0 : offset;
    if (skip < 0) {
      throw ApiException.badRequest("offset: " + skip + " is negative");
    }
    Long parent = null;
    if (parentRunId != null && !parentRunId.isEmpty()) {
      parent = RunRepository.parseId(parentRunId)
          .orElseThrow(() -> ApiException.badRequest("parentRunId: '" + parentRunId + "' is not a run id (a number)"));
    }
    for (var text : java.util.Map.of("q", String.valueOf(search), "namespace", String.valueOf(namespace)).entrySet()) {
      if (text.getValue().indexOf('\u0000') >= 0) {
        throw ApiException.badRequest(text.getKey() + ": contains a NUL character, which no run name has");
      }
    }
    if (search != null && search.length() > 200) {
      throw ApiException.badRequest("q: " + search.length() + " characters; the limit is 200");
    }
    return new RunFilter(parse("state", state, RunState.class), parse("kind", kind, RunKind.class),
        namespace == null || namespace.isEmpty() ? null : namespace, search, parent, rows, skip);
  }

  private static <E extends Enum<E>> E parse(String field, String value, Class<E> type) {
    if (value == null || value.isEmpty()) {
      return null;
    }
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equalsIgnoreCase(value)) {
        return constant;
      }
    }
    throw ApiException.badRequest(field + ": '" + value + "' is not one of " + Arrays.toString(type.getEnumConstants()));
  }

  @GET
  @Path("/runs/{id}")
  @RequiresScope(Scope.READ)
  public Run get(@PathParam("id") String id) throws SQLException {
    return runs.get(id).run();
  }

  /** Moves the run to a new state; the change is audited with the caller's token name. */
  @POST
  @Path("/runs/{id}/state")
  @RequiresScope(Scope.INGEST)
  public Run transition(@PathParam("id") String id, StateTransition transition) throws SQLException {
    return runs.transition(id, transition, caller.name()).run();
  }

  /** The audit trail of the run's state changes, oldest first. */
  @GET
  @Path("/runs/{id}/transitions")
  @RequiresScope(Scope.READ)
  public List<RunStateChange> transitions(@PathParam("id") String id) throws SQLException {
    return runs.transitions(id);
  }

  /** Stores a batch of points; idempotent on (run, name, step): a repeated point replaces the stored one. */
  @POST
  @Path("/runs/{id}/metrics")
  @RequiresScope(Scope.INGEST)
  public IngestResult ingest(@PathParam("id") String id, MetricBatch batch) throws SQLException {
    // A numeric id costs no query; an externalId (the CR's UID) is resolved once.
    long runId = runs.resolveId(id);
    return metrics.ingest(runId, batch);
  }

  /** Series over [from, to], at most maxPoints points each, downsampled keeping each bucket's min and max. */
  @GET
  @Path("/runs/{id}/metrics")
  @RequiresScope(Scope.READ)
  public List<MetricSeries> series(@PathParam("id") String id, @QueryParam("name") List<String> names,
      @QueryParam("from") Long from, @QueryParam("to") Long to, @QueryParam("maxPoints") Integer maxPoints)
      throws SQLException {
    return metrics.query(runs.existingId(id), names, from, to, maxPoints);
  }

  @GET
  @Path("/runs/{id}/metrics/names")
  @RequiresScope(Scope.READ)
  public List<String> seriesNames(@PathParam("id") String id) throws SQLException {
    return metrics.names(runs.get(id).id());
  }

  /** Registers a committed checkpoint: 201 when new, 200 when the same checkpoint was registered before. */
  @POST
  @Path("/runs/{id}/checkpoints")
  @RequiresScope(Scope.INGEST)
  public RestResponse<CheckpointRecord> registerCheckpoint(@PathParam("id") String id, CheckpointRecord checkpoint)
      throws SQLException {
    var registered = evals.registerCheckpoint(runs.get(id), checkpoint);
    return RestResponse.status(registered.created() ? Status.CREATED : Status.OK, registered.checkpoint().record());
  }

  @GET
  @Path("/runs/{id}/checkpoints")
  @RequiresScope(Scope.READ)
  public List<CheckpointRecord> checkpoints(@PathParam("id") String id) throws SQLException {
    return evals.checkpoints(runs.get(id).id()).stream().map(c -> c.record()).toList();
  }

  /** Stores scores of an eval run (a result for the same benchmark, dataset, shots and metric is replaced). */
  @POST
  @Path("/runs/{id}/results")
  @RequiresScope(Scope.INGEST)
  public List<EvalResultRecord> recordResults(@PathParam("id") String id, List<EvalResultRecord> results)
      throws SQLException {
    return evals.recordResults(runs.get(id), results);
  }

  @GET
  @Path("/runs/{id}/results")
  @RequiresScope(Scope.READ)
  public List<EvalResultRecord> results(@PathParam("id") String id) throws SQLException {
    return evals.results(runs.get(id));
  }

  @GET
  @Path("/runs/{id}/lineage")
  @RequiresScope(Scope.READ)
  public Lineage lineage(@PathParam("id") String id) throws SQLException {
    return runs.lineage(id);
  }

  /** Server-sent events of one run: state changes, new metrics, checkpoints, results. */
  @GET
  @Path("/runs/{id}/events")
  @Produces(MediaType.SERVER_SENT_EVENTS)
  @RestStreamElementType(MediaType.APPLICATION_JSON)
  @RequiresScope(Scope.READ)
  @Blocking
  public Multi<RunEvent> runEvents(@PathParam("id") String id) throws SQLException {
    return events.stream(runs.get(id).run().id());
  }

  /** Server-sent events of every run (the runs list). */
  @GET
  @Path("/events")
  @Produces(MediaType.SERVER_SENT_EVENTS)
  @RestStreamElementType(MediaType.APPLICATION_JSON)
  @RequiresScope(Scope.READ)
  public Multi<RunEvent> allEvents() {
    return events.stream(null);
  }
}
