package dev.mm1.controlplane.metrics;

import dev.mm1.api.rest.MetricSeries;
import dev.mm1.api.rest.RunMetrics;
import dev.mm1.controlplane.auth.RequiresScope;
import dev.mm1.controlplane.auth.Scope;
import dev.mm1.controlplane.runs.RunService;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/** Metric series of several runs at once: what a comparison of runs overlays, as JSON or CSV. */
@Path("/api/v1")
public class MetricResource {
  private final MetricService metrics;
  private final RunService runs;

  MetricResource(MetricService metrics, RunService runs) {
    this.metrics = metrics;
    this.runs = runs;
  }

  /**
   * The named series of each run over [from, to] (once for all runs, or once per run), at most
   * maxPoints points per series, downsampled keeping each bucket's min and max.
   */
  @GET
  @Path("metrics")
  @Produces(MediaType.APPLICATION_JSON)
  @RequiresScope(Scope.READ)
  public List<RunMetrics> series(@QueryParam("run") List<String> runIds, @QueryParam("name") List<String> names,
      @QueryParam("from") List<Long> from, @QueryParam("to") List<Long> to, @QueryParam("maxPoints") Integer maxPoints)
      throws SQLException {
    return metrics.queryRuns(runIds, names, from, to, maxPoints);
  }

  /**
   * The same as CSV, a row per point: {@code run_id,run_name,metric,step,time_utc,value} (a chart's
   * "CSV" link).
   */
  @GET
  @Path("metrics.csv")
  @Produces("text/csv")
  @RequiresScope(Scope.READ)
  public Response csv(@QueryParam("run") List<String> runIds, @QueryParam("name") List<String> names,
      @QueryParam("from") List<Long> from, @QueryParam("to") List<Long> to, @QueryParam("maxPoints") Integer maxPoints)
      throws SQLException {
    List<RunMetrics> data = metrics.queryRuns(runIds, names, from, to, maxPoints);
    StringBuilder csv = new StringBuilder("run_id,run_name,metric,step,time_utc,value\n");
    for (RunMetrics run : data) {
      String runName = runs.get(run.runId()).run().name();
      for (MetricSeries series : run.series()) {
        for (int i = 0; i < series.steps().size(); i++) {
          csv.append(run.runId()).append(',').append(field(runName)).append(',').append(field(series.name()))
              .append(',').append(series.steps().get(i)).append(',')
              .append(Instant.ofEpochMilli(series.times().get(i))).append(',').append(series.values().get(i))
              .append('\n');
        }
      }
    }
    String file = "mm1-" + String.join("-", data.stream().map(RunMetrics::runId).toList()) + "-metrics.csv";
    return Response.ok(csv.toString()).header("Content-Disposition", "attachment; filename=\"" + file + "\"").build();
  }

  /** A CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180). */
  static String field(String value) {
    if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
      return value;
    }
    return '"' + value.replace("\"", "\"\"") + '"';
  }
}
