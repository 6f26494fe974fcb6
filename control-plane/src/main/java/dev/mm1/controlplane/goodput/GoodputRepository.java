package dev.mm1.controlplane.goodput;

import dev.mm1.controlplane.db.Transactions;
import dev.mm1.controlplane.goodput.GoodputCalculator.SignalTotal;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Totals of a run's goodput signals per attempt, summed in SQL over the stored points. */
@ApplicationScoped
public class GoodputRepository {
  private final Transactions db;

  GoodputRepository(Transactions db) {
    this.db = db;
  }

  /**
   * For each attempt (in the order of {@code attemptStarts}, the first one's start ignored so that
   * points timed before registration count for it), the totals of each signal series whose points
   * were recorded in it. A point belongs to the attempt whose window holds its recorded time.
   */
  public List<Map<String, SignalTotal>> totals(long runId, List<Instant> attemptStarts, List<String> names)
      throws SQLException {
    Long[] bounds = new Long[attemptStarts.size()];
    bounds[0] = Long.MIN_VALUE;
    for (int i = 1; i < bounds.length; i++) {
      bounds[i] = ChronoUnit.MICROS.between(Instant.EPOCH, attemptStarts.get(i));
    }
    return db.read(c -> {
      List<Map<String, SignalTotal>> totals = new ArrayList<>();
      for (int i = 0; i < bounds.length; i++) {
        totals.add(new HashMap<>());
      }
      // A chunk whose points were all recorded within one attempt is summed whole (its values
      // unnested once, no per-point bucketing); only chunks that straddle a restart are split.
      try (PreparedStatement select = c.prepareStatement("""
          SELECT s.name, x.attempt, sum(x.n), sum(x.total), min(x.first_step), max(x.last_step), min(x.lo), max(x.hi)
          FROM metric_series s JOIN metric_chunk c ON c.series_id = s.id
          CROSS JOIN LATERAL (SELECT min(u) AS lo, max(u) AS hi FROM unnest(c.times_us) AS u) t
          CROSS JOIN LATERAL (
            SELECT width_bucket(t.lo, ?::bigint[]) AS attempt, cardinality(c.vals)::bigint AS n,
                   (SELECT sum(v) FROM unnest(c.vals) AS v) AS total, c.first_step, c.last_step, t.lo, t.hi
            WHERE width_bucket(t.lo, ?::bigint[]) = width_bucket(t.hi, ?::bigint[])
            UNION ALL
            SELECT width_bucket(p.t, ?::bigint[]), 1, p.v, p.st, p.st, p.t, p.t
            FROM unnest(c.steps, c.vals, c.times_us) AS p(st, v, t)
            WHERE width_bucket(t.lo, ?::bigint[]) <> width_bucket(t.hi, ?::bigint[])) x
          WHERE s.run_id = ? AND s.name = ANY(?)
          GROUP BY 1, 2""")) {
        java.sql.Array thresholds = c.createArrayOf("int8", bounds);
        for (int k = 1; k <= 6; k++) {
          select.setArray(k, thresholds);
        }
        select.setLong(7, runId);
        select.setArray(8, c.createArrayOf("text", names.toArray()));
        try (ResultSet rs = select.executeQuery()) {
          while (rs.next()) {
            int attempt = Math.max(0, rs.getInt(2) - 1);
            totals.get(attempt).put(rs.getString(1), new SignalTotal(rs.getLong(3), rs.getDouble(4), rs.getLong(5),
                rs.getLong(6), micros(rs.getLong(7)), micros(rs.getLong(8))));
          }
        }
      }
      return totals;
    });
  }

  /** The goodput signals a run reports (the panel reads no others). */
  public List<String> reported(long runId) throws SQLException {
    return db.read(c -> {
      try (PreparedStatement select = c.prepareStatement("SELECT name FROM metric_series WHERE run_id = ? AND name = ANY(?)")) {
        select.setLong(1, runId);
        select.setArray(2, c.createArrayOf("text", GoodputSignals.ALL.toArray()));
        try (ResultSet rs = select.executeQuery()) {
          List<String> names = new ArrayList<>();
          while (rs.next()) {
            names.add(rs.getString(1));
          }
          return names;
        }
      }
    });
  }

  private static Instant micros(long micros) {
    return Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
  }
}
