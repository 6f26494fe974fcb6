package dev.mm1.controlplane.metrics;

import dev.mm1.api.rest.IngestResult;
import dev.mm1.api.rest.MetricBatch;
import dev.mm1.api.rest.MetricPoint;
import dev.mm1.api.rest.MetricSeries;
import dev.mm1.api.rest.RunEvent;
import dev.mm1.api.rest.RunMetrics;
import dev.mm1.controlplane.events.RunEvents;
import dev.mm1.controlplane.problem.ApiException;
import dev.mm1.controlplane.runs.RunRepository;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Checks metric batches and queries. Values must be finite: NaN and ±infinity are rejected
 * with the index of the point, because a non-finite loss is a run-health event to report as a
 * state transition, and stored NaNs would poison every min/max and chart scale.
 */
@ApplicationScoped
public class MetricService {
  /** Largest step accepted: steps travel as float8 inside the min/max aggregates, exact up to 2^53. */
  static final long MAX_STEP = 1L << 53;
  static final int MAX_POINTS_PER_SERIES = 100_000;
  /** Times a point may carry: the years 1 to 9999 (stored as epoch microseconds). */
  static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
  static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999Z");
  static final int MIN_POINTS_PER_SERIES = 10;
  static final int MAX_SERIES_PER_QUERY = 256;
  /** Runs one comparison may overlay. */
  static final int MAX_RUNS_PER_QUERY = 12;

  private final MetricRepository metrics;
  private final RunEvents events;
  private final int maxBatch;

  MetricService(MetricRepository metrics, RunEvents events, @ConfigProperty(name = "mm1.ingest.max-points") int maxBatch) {
    this.metrics = metrics;
    this.events = events;
    this.maxBatch = maxBatch;
  }

  /** Stores a batch; the run's existence is checked by the repository (a 404 when it has none). */
  public IngestResult ingest(long runId, MetricBatch batch) throws SQLException {
    if (batch == null || batch.points() == null) {
      throw ApiException.badRequest("points is required: a list of {name, step, value, time?}");
    }
    List<MetricPoint> points = batch.points();
    if (points.size() > maxBatch) {
      throw ApiException.tooLarge("the batch has " + points.size() + " points; the limit is " + maxBatch
          + " points per request (mm1.ingest.max-points): split it");
    }
    String checkedName = null;
    for (int i = 0; i < points.size(); i++) {
      MetricPoint p = points.get(i);
      if (p == null) {
        throw ApiException.badRequest("points[" + i + "] is null");
      }
      if (p.name() != checkedName) { // names parsed from one batch are mostly the same instance
        if (!isValidName(p.name())) {
          throw ApiException.badRequest("points[" + i + "].name must be 1 to 200 printable characters");
        }
        checkedName = p.name();
      }
      if (p.step() < 0 || p.step() > MAX_STEP) {
        throw ApiException.badRequest("points[" + i + "].step: " + p.step() + " is outside 0.." + MAX_STEP);
      }
      if (p.time() != null && (p.time().isBefore(EARLIEST) || p.time().isAfter(LATEST))) {
        throw ApiException.badRequest("points[" + i + "].time: " + p.time() + " is outside " + EARLIEST + ".." + LATEST);
      }
      if (!Double.isFinite(p.value())) {
        throw ApiException.badRequest("points[" + i + "].value: " + p.value() + " is not stored; values must be finite"
            + " numbers (report a diverged run with POST /api/v1/runs/{id}/state)");
      }
    }
    if (points.isEmpty()) {
      if (!metrics.runExists(runId)) {
        throw ApiException.notFound("no run with id '" + runId + "'");
      }
      return new IngestResult(0, 0, -1);
    }
    SortedPoints stored = metrics.ingest(runId, points, SortedPoints.epochMicros(Instant.now()));
    long maxStep = stored.maxStep();
    events.publish(new RunEvent(String.valueOf(runId), "metrics", maxStep, null));
    return new IngestResult(stored.size(), stored.seriesCount(), maxStep);
  }

  private static boolean isValidName(String name) {
    if (name == null || name.isBlank() || name.length() > 200) {
      return false;
    }
    for (int k = 0; k < name.length(); k++) {
      if (Character.isISOControl(name.charAt(k))) {
        return false;
      }
    }
    return true;
  }

  public List<MetricSeries> query(long runId, List<String> names, Long from, Long to, Integer maxPoints)
      throws SQLException {
    checkNames(names, 1);
    long lo = from == null ? 0 : from;
    long hi = to == null ? MAX_STEP : to;
    checkRange(lo, hi, "");
    return metrics.query(runId, names.stream().distinct().toList(), lo, hi, checkMaxPoints(maxPoints));
  }

  /**
   * The same series of several runs, for a comparison: {@code from} and {@code to} are absent, one
   * value for every run, or one value per run in the order of {@code runIds} (a zoom on a tokens or
   * time axis covers different steps in each run).
   */
  public List<RunMetrics> queryRuns(List<String> runIds, List<String> names, List<Long> from, List<Long> to,
      Integer maxPoints) throws SQLException {
    if (runIds == null || runIds.isEmpty()) {
      throw ApiException.badRequest("run is required: one or more run ids (?run=12&run=15&name=loss)");
    }
    if (runIds.size() > MAX_RUNS_PER_QUERY) {
      throw ApiException.badRequest("run: " + runIds.size() + " runs asked for; the limit is " + MAX_RUNS_PER_QUERY);
    }
    checkNames(names, runIds.size());
    int limit = checkMaxPoints(maxPoints);
    List<String> distinctNames = names.stream().distinct().toList();
    List<Long> parsed = new ArrayList<>();
    for (String id : runIds) {
      parsed.add(RunRepository.parseId(id).orElseThrow(() -> ApiException.notFound("run: no run with id '" + id + "'")));
    }
    Set<Long> existing = metrics.existingRuns(parsed);
    List<MetricRepository.SeriesRange> ranges = new ArrayList<>();
    for (int i = 0; i < runIds.size(); i++) {
      long runId = parsed.get(i);
      if (!existing.contains(runId)) {
        throw ApiException.notFound("run: no run with id '" + runIds.get(i) + "'");
      }
      long lo = perRun("from", from, i, runIds.size(), 0);
      long hi = perRun("to", to, i, runIds.size(), MAX_STEP);
      boolean perRunBounds = (from != null && from.size() > 1) || (to != null && to.size() > 1);
      checkRange(lo, hi, perRunBounds ? "[" + i + "]" : "");
      ranges.add(new MetricRepository.SeriesRange(runId, distinctNames, lo, hi));
    }
    List<List<MetricSeries>> series = metrics.query(ranges, limit);
    List<RunMetrics> result = new ArrayList<>();
    for (int i = 0; i < ranges.size(); i++) {
      result.add(new RunMetrics(String.valueOf(ranges.get(i).runId()), series.get(i)));
    }
    return result;
  }

  /** A bound given once for every run or once per run; absent means the whole series. */
  private static long perRun(String field, List<Long> values, int run, int runs, long absent) {
    if (values == null || values.isEmpty()) {
      return absent;
    }
    if (values.size() != 1 && values.size() != runs) {
      throw ApiException.badRequest(field + ": " + values.size() + " values for " + runs
          + " runs; give one (for every run) or one per run, in the order of run");
    }
    Long value = values.get(values.size() == 1 ? 0 : run);
    return value == null ? absent : value;
  }

  private static void checkNames(List<String> names, int runs) {
    if (names == null || names.isEmpty()) {
      throw ApiException.badRequest("name is required: one or more series names (?name=loss&name=lr)");
    }
    if ((long) names.size() * runs > MAX_SERIES_PER_QUERY) {
      throw ApiException.badRequest("name: " + names.size() * runs + " series asked for; the limit is "
          + MAX_SERIES_PER_QUERY);
    }
  }

  private static void checkRange(long lo, long hi, String index) {
    if (lo < 0) {
      throw ApiException.badRequest("from" + index + ": " + lo + " is negative");
    }
    if (hi < lo) {
      throw ApiException.badRequest("to" + index + ": " + hi + " is before from (" + lo + ")");
    }
  }

  private static int checkMaxPoints(Integer maxPoints) {
    int limit = maxPoints == null ? 1000 : maxPoints;
    if (limit < MIN_POINTS_PER_SERIES || limit > MAX_POINTS_PER_SERIES) {
      throw ApiException.badRequest("maxPoints: " + limit + " is outside " + MIN_POINTS_PER_SERIES + ".."
          + MAX_POINTS_PER_SERIES);
    }
    return limit;
  }

  public List<String> names(long runId) throws SQLException {
    return metrics.names(runId);
  }
}
