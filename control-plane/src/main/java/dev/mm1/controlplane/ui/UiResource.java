package dev.mm1.controlplane.ui;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mm1.api.rest.CheckpointRecord;
import dev.mm1.api.rest.Run;
import dev.mm1.api.rest.RunState;
import dev.mm1.api.rest.RunStateChange;
import dev.mm1.controlplane.auth.BearerAuthFilter;
import dev.mm1.controlplane.auth.RequiresScope;
import dev.mm1.controlplane.auth.Scope;
import dev.mm1.controlplane.auth.TokenRepository;
import dev.mm1.controlplane.evals.CheckpointRepository;
import dev.mm1.controlplane.evals.CheckpointView;
import dev.mm1.controlplane.evals.EvalResultRepository;
import dev.mm1.controlplane.evals.Score;
import dev.mm1.controlplane.goodput.Goodput;
import dev.mm1.controlplane.goodput.GoodputService;
import dev.mm1.controlplane.lineage.LineageGraph;
import dev.mm1.controlplane.lineage.LineageService;
import dev.mm1.controlplane.metrics.MetricService;
import dev.mm1.controlplane.problem.ApiException;
import dev.mm1.controlplane.runs.RunFilter;
import dev.mm1.controlplane.runs.RunRepository;
import dev.mm1.controlplane.runs.RunResource;
import dev.mm1.controlplane.runs.RunService;
import dev.mm1.controlplane.runs.RunView;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateData;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The web UI, rendered on the server with Qute: runs list, run (charts, goodput, lineage graph),
 * comparison of runs, checkpoint, evaluations leaderboard and comparison of checkpoints. Charts
 * and live updates are uPlot and EventSource in small static scripts; nothing is built with npm.
 */
@Path("/")
@Produces(MediaType.TEXT_HTML)
@TemplateData(target = Run.class)
@TemplateData(target = CheckpointRecord.class)
@TemplateData(target = RunStateChange.class)
public class UiResource {
  private final RunService runs;
  private final CheckpointRepository checkpoints;
  private final EvalResultRepository scores;
  private final TokenRepository tokens;
  private final ObjectMapper json;
  private final GoodputService goodput;
  private final LineageService lineage;
  private final MetricService metrics;

  /** Runs one comparison overlays at most (its palette has as many colours). */
  static final int MAX_COMPARED = 12;
  /** What a comparison overlays when its URL names no metric, those the runs have. */
  static final List<String> DEFAULT_METRICS = List.of("loss", "lm_loss", "lr", "grad_norm", "tokens_per_s", "mfu");

  UiResource(RunService runs, CheckpointRepository checkpoints, EvalResultRepository scores, TokenRepository tokens,
      ObjectMapper json, GoodputService goodput, LineageService lineage, MetricService metrics) {
    this.runs = runs;
    this.checkpoints = checkpoints;
    this.scores = scores;
    this.tokens = tokens;
    this.json = json;
    this.goodput = goodput;
    this.lineage = lineage;
    this.metrics = metrics;
  }

  /** One task (benchmark, dataset, shots, metric) of a comparison: a cell per checkpoint, the best marked. */
  @TemplateData
  public record ComparisonRow(String task, List<String> cells, int best) {}

  /** One task of the leaderboard, checkpoints best first. */
  @TemplateData
  public record Leaderboard(String task, List<Score> ranked) {}

  /** A run of a comparison: its colour (an index into the pages' palette) and the link without it. */
  @TemplateData
  public record ComparedRun(RunView view, int colour, String removeUrl) {}

  @CheckedTemplate
  static class Templates {
    static native TemplateInstance runs(List<RunView> runs, boolean filtered, String q, String state, String kind,
        List<String> states);

    static native TemplateInstance runsTable(List<RunView> runs, boolean filtered);

    static native TemplateInstance run(RunView run, List<CheckpointView> checkpoints, List<Score> scores,
        LineageGraph lineage, List<RunStateChange> transitions, String spec, Goodput goodput);

    static native TemplateInstance goodput(Goodput goodput);

    static native TemplateInstance compareRuns(List<ComparedRun> compared, List<RunView> others, List<String> metrics,
        List<String> chosen, SpecDiff diff);

    static native TemplateInstance checkpoint(CheckpointView checkpoint, List<Score> scores);

    static native TemplateInstance evals(List<Leaderboard> boards);

    static native TemplateInstance compare(List<CheckpointView> checkpoints, List<ComparisonRow> rows);

    static native TemplateInstance login(String next, String error);
  }

  @GET
  @RequiresScope(Scope.READ)
  public TemplateInstance runsPage(@QueryParam("q") String q, @QueryParam("state") String state,
      @QueryParam("kind") String kind) throws SQLException {
    return Templates.runs(list(q, state, kind), filtered(q, state, kind), q == null ? "" : q, state == null ? "" : state,
        kind == null ? "" : kind,
        java.util.Arrays.stream(RunState.values()).map(Enum::name).toList());
  }

  /** The runs table's rows alone, for the live refresh of the runs page. */
  @GET
  @Path("ui/runs-table")
  @RequiresScope(Scope.READ)
  public TemplateInstance runsTable(@QueryParam("q") String q, @QueryParam("state") String state,
      @QueryParam("kind") String kind) throws SQLException {
    return Templates.runsTable(list(q, state, kind), filtered(q, state, kind));
  }

  private static boolean filtered(String... filters) {
    return java.util.Arrays.stream(filters).anyMatch(f -> f != null && !f.isBlank());
  }

  private List<RunView> list(String q, String state, String kind) throws SQLException {
    RunFilter filter = RunResource.filter(state, kind, null, q, null, 200, 0);
    return runs.list(filter);
  }

  @GET
  @Path("runs/{id}")
  @RequiresScope(Scope.READ)
  public TemplateInstance runPage(@PathParam("id") String id) throws SQLException, JsonProcessingException {
    RunView run = runs.get(id);
    List<Score> runScores = run.run().kind() == dev.mm1.api.rest.RunKind.Eval
        ? scores.ofEvalRun(run.id()) : scores.ofTraining(run.id());
    return Templates.run(run, checkpoints.list(run.id()), runScores, lineage.graph(run), runs.transitions(id),
        json.writerWithDefaultPrettyPrinter().writeValueAsString(run.run().spec()),
        run.training() ? goodput.of(id) : null);
  }

  /** The goodput panel alone, for the run page's live refresh. */
  @GET
  @Path("ui/runs/{id}/goodput")
  @RequiresScope(Scope.READ)
  public TemplateInstance goodputPanel(@PathParam("id") String id) throws SQLException {
    return Templates.goodput(goodput.of(id));
  }

  /**
   * Runs side by side: each metric overlaid across the runs, and the fields in which their specs
   * differ. The page's own state (metrics, x axis, smoothing, log scale, zoom) rides in the URL,
   * so a link shares the view.
   */
  @GET
  @Path("runs/compare")
  @RequiresScope(Scope.READ)
  public TemplateInstance compareRunsPage(@QueryParam("run") List<String> ids, @QueryParam("metric") List<String> metric)
      throws SQLException {
    List<String> distinct = ids == null ? List.of() : ids.stream().filter(i -> !i.isBlank()).distinct().toList();
    if (distinct.isEmpty() || distinct.size() > MAX_COMPARED) {
      throw ApiException.badRequest("run: choose 1 to " + MAX_COMPARED + " runs to compare (?run=ID&run=ID), e.g. by"
          + " ticking them in the runs list");
    }
    List<ComparedRun> compared = new ArrayList<>();
    java.util.TreeSet<String> names = new java.util.TreeSet<>();
    for (String runId : distinct) {
      RunView view = runs.get(runId);
      String without = distinct.stream().filter(other -> !other.equals(runId)).map(other -> "run=" + other)
          .reduce((x, y) -> x + "&" + y).map(q -> "/runs/compare?" + q).orElse("/");
      compared.add(new ComparedRun(view, compared.size(), without));
      names.addAll(metrics.names(view.id()));
    }
    List<String> chosen = metric != null && !metric.isEmpty() ? metric
        : DEFAULT_METRICS.stream().filter(names::contains).toList();
    if (chosen.isEmpty()) {
      chosen = names.stream().limit(4).toList();
    }
    List<RunView> others = runs.list(RunResource.filter(null, "Training", null, null, null, 200, 0)).stream()
        .filter(r -> !distinct.contains(r.run().id())).toList();
    SpecDiff diff = SpecDiff.of(compared.stream().map(c -> c.view().run().spec()).toList());
    // The usual metrics first, in their usual order, then the rest by name.
    List<String> ordered = new ArrayList<>(DEFAULT_METRICS.stream().filter(names::contains).toList());
    names.stream().filter(n -> !DEFAULT_METRICS.contains(n)).forEach(ordered::add);
    return Templates.compareRuns(compared, others, ordered, chosen, diff);
  }

  @GET
  @Path("checkpoints/{id}")
  @RequiresScope(Scope.READ)
  public TemplateInstance checkpointPage(@PathParam("id") String id) throws SQLException {
    CheckpointView checkpoint = checkpoint(id);
    return Templates.checkpoint(checkpoint, scores.ofCheckpoints(List.of(checkpoint.id())));
  }

  @GET
  @Path("evals")
  @RequiresScope(Scope.READ)
  public TemplateInstance evalsPage() throws SQLException {
    Map<String, List<Score>> byTask = new LinkedHashMap<>();
    for (Score s : scores.leaderboard()) {
      byTask.computeIfAbsent(s.task(), t -> new ArrayList<>()).add(s);
    }
    List<Leaderboard> boards = byTask.entrySet().stream().map(e -> new Leaderboard(e.getKey(), e.getValue())).toList();
    return Templates.evals(boards);
  }

  /** Two or more checkpoints side by side: a row per task, a column per checkpoint. */
  @GET
  @Path("compare")
  @RequiresScope(Scope.READ)
  public TemplateInstance comparePage(@QueryParam("checkpoint") List<String> ids) throws SQLException {
    if (ids == null || ids.size() < 2 || ids.size() > 12) {
      throw ApiException.badRequest("checkpoint: choose 2 to 12 checkpoints to compare (?checkpoint=ID&checkpoint=ID)");
    }
    List<CheckpointView> chosen = new ArrayList<>();
    for (String id : ids.stream().distinct().toList()) {
      chosen.add(checkpoint(id));
    }
    Map<String, Double[]> byTask = new LinkedHashMap<>();
    List<Long> chosenIds = chosen.stream().map(CheckpointView::id).toList();
    for (Score s : scores.ofCheckpoints(chosenIds)) {
      byTask.computeIfAbsent(s.task(), t -> new Double[chosen.size()])[chosenIds.indexOf(s.checkpointId())] = s.value();
    }
    List<ComparisonRow> rows = new ArrayList<>();
    byTask.forEach((task, values) -> {
      int best = -1;
      List<String> cells = new ArrayList<>();
      for (int i = 0; i < values.length; i++) {
        cells.add(values[i] == null ? "–" : String.format("%.2f", values[i]));
        if (values[i] != null && (best < 0 || values[i] > values[best])) {
          best = i;
        }
      }
      rows.add(new ComparisonRow(task, cells, best));
    });
    return Templates.compare(chosen, rows);
  }

  private CheckpointView checkpoint(String id) throws SQLException {
    Optional<Long> parsed = RunRepository.parseId(id);
    Optional<CheckpointView> found = parsed.isEmpty() ? Optional.empty() : checkpoints.find(parsed.get());
    return found.orElseThrow(() -> ApiException.notFound("no checkpoint with id '" + id + "'"));
  }

  @GET
  @Path("login")
  public TemplateInstance loginPage(@QueryParam("next") String next) {
    return Templates.login(safeNext(next), null);
  }

  /** Checks a pasted token and keeps it in an HttpOnly cookie for the pages and their scripts. */
  @POST
  @Path("login")
  @jakarta.ws.rs.Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response login(@FormParam("token") String token, @FormParam("next") String next) throws SQLException {
    String target = safeNext(next);
    if (token == null || token.isBlank() || tokens.authenticate(token.trim()).isEmpty()) {
      return Response.status(401).entity(Templates.login(target, "That token is not valid (unknown, revoked or expired).")).build();
    }
    NewCookie cookie = new NewCookie.Builder(BearerAuthFilter.COOKIE).value(token.trim()).path("/").httpOnly(true)
        .sameSite(NewCookie.SameSite.STRICT).build();
    return Response.seeOther(URI.create(target)).cookie(cookie).build();
  }

  /** Only local paths: a login link cannot send the browser elsewhere. */
  private static String safeNext(String next) {
    return next != null && next.startsWith("/") && !next.startsWith("//") ? next : "/";
  }
}
