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
  public List<Map<String, SignalTotal>> totals(long runId, List<Instant> attemptStarts) throws SQLException {
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
      try (PreparedStatement select = c.prepareStatement("""
          SELECT s.name, width_bucket(p.t, ?::bigint[]) AS attempt, count(*), sum(p.v), min(p.st), max(p.st),
                 min(p.t), max(p.t)
          FROM metric_series s JOIN metric_chunk c ON c.series_id = s.id,
               unnest(c.steps, c.vals, c.times_us) AS p(st, v, t)
          WHERE s.run_id = ? AND s.name = ANY(?)
          GROUP BY 1, 2""")) {
        select.setArray(1, c.createArrayOf("int8", bounds));
        select.setLong(2, runId);
        select.setArray(3, c.createArrayOf("text", GoodputSignals.ALL.toArray()));
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

  private static Instant micros(long micros) {
    return Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
  }
}
