package dev.mm1.controlplane.metrics;

import dev.mm1.api.rest.RunMetrics;
import dev.mm1.controlplane.auth.RequiresScope;
import dev.mm1.controlplane.auth.Scope;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.sql.SQLException;
import java.util.List;

/** Metric series of several runs at once: what a comparison of runs overlays. */
@Path("/api/v1/metrics")
@Produces(MediaType.APPLICATION_JSON)
public class MetricResource {
  private final MetricService metrics;

  MetricResource(MetricService metrics) {
    this.metrics = metrics;
  }

  /**
   * The named series of each run over [from, to] (once for all runs, or once per run), at most
   * maxPoints points per series, downsampled keeping each bucket's min and max.
   */
  @GET
  @RequiresScope(Scope.READ)
  public List<RunMetrics> series(@QueryParam("run") List<String> runs, @QueryParam("name") List<String> names,
      @QueryParam("from") List<Long> from, @QueryParam("to") List<Long> to, @QueryParam("maxPoints") Integer maxPoints)
      throws SQLException {
    return metrics.queryRuns(runs, names, from, to, maxPoints);
  }
}
