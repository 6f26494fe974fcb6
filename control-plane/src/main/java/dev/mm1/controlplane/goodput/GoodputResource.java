package dev.mm1.controlplane.goodput;

import dev.mm1.controlplane.auth.RequiresScope;
import dev.mm1.controlplane.auth.Scope;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.sql.SQLException;

/** {@code GET /api/v1/runs/{id}/goodput}: where the run's time went. */
@Path("/api/v1/runs/{id}/goodput")
@Produces(MediaType.APPLICATION_JSON)
public class GoodputResource {
  private final GoodputService goodput;

  GoodputResource(GoodputService goodput) {
    this.goodput = goodput;
  }

  /** Scheduling, runtime and program goodput with the badput by cause, for the run and each attempt. */
  @GET
  @RequiresScope(Scope.READ)
  public Goodput get(@PathParam("id") String id) throws SQLException {
    return goodput.of(id);
  }
}
