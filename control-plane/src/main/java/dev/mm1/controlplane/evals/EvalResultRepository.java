package dev.mm1.controlplane.evals;

import static dev.mm1.controlplane.db.Rows.longOrNull;

import dev.mm1.api.rest.EvalResultRecord;
import dev.mm1.controlplane.db.Transactions;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Scores of eval runs, linked to the checkpoint they evaluated when it is registered. */
@ApplicationScoped
public class EvalResultRepository {
  private static final String SELECT = """
      SELECT e.benchmark, e.dataset, e.shots, e.metric, e.value, e.samples, e.checkpoint_id,
             coalesce(c.step, e.checkpoint_step) AS checkpoint_step, t.id AS training_id, t.name AS training_name,
             e.eval_run_id
      FROM eval_result e
      JOIN run ev ON ev.id = e.eval_run_id
      LEFT JOIN checkpoint c ON c.id = e.checkpoint_id
      LEFT JOIN run t ON t.id = coalesce(c.run_id, ev.parent_run_id)
      """;
  private final Transactions db;

  EvalResultRepository(Transactions db) {
    this.db = db;
  }

  /**
   * Stores results of an eval run, replacing a result reported before for the same benchmark,
   * dataset, shots and metric. The checkpoint is the training's (the eval's parent) at checkpointStep.
   */
  public void record(long evalRunId, Long trainingRunId, List<EvalResultRecord> results) throws SQLException {
    db.inTransaction(c -> {
      try (PreparedStatement upsert = c.prepareStatement("""
          INSERT INTO eval_result (eval_run_id, checkpoint_id, checkpoint_step, benchmark, dataset, shots, metric, value, samples)
          VALUES (?, (SELECT id FROM checkpoint WHERE run_id = ? AND step = ?), ?, ?, ?, ?, ?, ?, ?)
          ON CONFLICT (eval_run_id, benchmark, dataset, shots, metric) DO UPDATE SET value = EXCLUDED.value,
            samples = EXCLUDED.samples, checkpoint_id = EXCLUDED.checkpoint_id,
            checkpoint_step = EXCLUDED.checkpoint_step, recorded_at = now()""")) {
        for (EvalResultRecord r : results) {
          upsert.setLong(1, evalRunId);
          upsert.setObject(2, trainingRunId);
          upsert.setObject(3, r.checkpointStep());
          upsert.setObject(4, r.checkpointStep());
          upsert.setString(5, r.benchmark());
          upsert.setString(6, r.dataset() == null ? "" : r.dataset());
          upsert.setInt(7, r.shots());
          upsert.setString(8, r.metric());
          upsert.setDouble(9, r.value());
          upsert.setInt(10, r.samples());
          upsert.addBatch();
        }
        upsert.executeBatch();
      }
      return null;
    });
  }

  public List<Score> ofEvalRun(long evalRunId) throws SQLException {
    return query(" WHERE e.eval_run_id = ? ORDER BY e.benchmark, e.dataset, e.shots, e.metric", evalRunId);
  }

  /** Scores of the evals of a training's checkpoints. */
  public List<Score> ofTraining(long trainingRunId) throws SQLException {
    return query(" WHERE t.id = ? ORDER BY checkpoint_step, e.benchmark, e.dataset, e.shots, e.metric", trainingRunId);
  }

  public List<Score> ofCheckpoints(List<Long> checkpointIds) throws SQLException {
    return query(" WHERE e.checkpoint_id = ANY(?) ORDER BY e.benchmark, e.dataset, e.shots, e.metric",
        (Object) checkpointIds.toArray(Long[]::new));
  }

  /** Every score of a known checkpoint, best first within each task: the leaderboard. */
  public List<Score> leaderboard() throws SQLException {
    return query(" WHERE e.checkpoint_id IS NOT NULL ORDER BY e.benchmark, e.dataset, e.shots, e.metric, e.value DESC");
  }

  private List<Score> query(String where, Object... params) throws SQLException {
    return db.read(c -> {
      try (PreparedStatement select = c.prepareStatement(SELECT + where)) {
        for (int i = 0; i < params.length; i++) {
          if (params[i] instanceof Long[] ids) {
            select.setArray(i + 1, c.createArrayOf("int8", ids));
          } else {
            select.setObject(i + 1, params[i]);
          }
        }
        try (ResultSet rs = select.executeQuery()) {
          List<Score> scores = new ArrayList<>();
          while (rs.next()) {
            scores.add(new Score(rs.getString("benchmark"), rs.getString("dataset"), rs.getInt("shots"),
                rs.getString("metric"), rs.getDouble("value"), rs.getInt("samples"), longOrNull(rs, "checkpoint_id"),
                longOrNull(rs, "checkpoint_step"), longOrNull(rs, "training_id"), rs.getString("training_name"),
                rs.getLong("eval_run_id")));
          }
          return scores;
        }
      }
    });
  }
}
