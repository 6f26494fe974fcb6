package dev.mm1.controlplane.evals;

import dev.mm1.api.rest.CreateEvalRequest;
import dev.mm1.api.rest.Run;
import dev.mm1.controlplane.auth.CurrentCaller;
import dev.mm1.controlplane.auth.RequiresScope;
import dev.mm1.controlplane.auth.Scope;
import dev.mm1.controlplane.problem.ApiException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response.Status;
import java.sql.SQLException;
import java.util.List;
import org.jboss.resteasy.reactive.RestResponse;

/** Evaluations: {@code POST /api/v1/evals} creates an MM1Eval; checkpoints' scores. */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
public class EvalResource {
  private final EvalService evals;
  private final CheckpointRepository checkpoints;
  private final EvalResultRepository results;
  private final CurrentCaller caller;

  EvalResource(EvalService evals, CheckpointRepository checkpoints, EvalResultRepository results, CurrentCaller caller) {
    this.evals = evals;
    this.checkpoints = checkpoints;
    this.results = results;
    this.caller = caller;
  }

  /** Creates an MM1Eval custom resource and returns its run (201). */
  @POST
  @Path("/evals")
  @RequiresScope(Scope.EVALS)
  public RestResponse<Run> create(CreateEvalRequest request) throws SQLException {
    return RestResponse.status(Status.CREATED, evals.createEval(request, caller.name()).run().run());
  }

  /** Every score of one checkpoint (by checkpoint id). */
  @GET
  @Path("/checkpoints/{checkpointId}/scores")
  @RequiresScope(Scope.READ)
  public List<Score> scores(@PathParam("checkpointId") String checkpointId) throws SQLException {
    java.util.Optional<Long> id = dev.mm1.controlplane.runs.RunRepository.parseId(checkpointId);
    java.util.Optional<CheckpointView> checkpoint = id.isEmpty() ? java.util.Optional.empty() : checkpoints.find(id.get());
    if (checkpoint.isEmpty()) {
      throw ApiException.notFound("no checkpoint with id '" + checkpointId + "'");
    }
    return results.ofCheckpoints(List.of(checkpoint.get().id()));
  }
}
