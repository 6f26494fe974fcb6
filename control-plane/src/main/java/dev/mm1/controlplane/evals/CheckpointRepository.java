package dev.mm1.controlplane.evals;

import static dev.mm1.controlplane.db.Rows.instant;

import dev.mm1.api.rest.CheckpointRecord;
import dev.mm1.controlplane.db.Transactions;
import dev.mm1.controlplane.problem.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Committed checkpoints of training runs. */
@ApplicationScoped
public class CheckpointRepository {
  private static final String SELECT = """
      SELECT c.id, c.run_id, r.name, r.namespace, c.step, c.uri, c.sha256, c.bytes, c.committed_at
      FROM checkpoint c JOIN run r ON r.id = c.run_id""";
  private final Transactions db;

  CheckpointRepository(Transactions db) {
    this.db = db;
  }

  /** The registration's outcome: the checkpoint and whether it is new. */
  public record Registered(CheckpointView checkpoint, boolean created) {}

  /**
   * Registers a checkpoint; registering the same (step, sha256) again is a no-op, a different
   * checkpoint at a registered step is a conflict.
   */
  public Registered register(long runId, CheckpointRecord checkpoint) throws SQLException {
    return db.inTransaction(c -> {
      boolean created;
      try (PreparedStatement insert = c.prepareStatement("""
          INSERT INTO checkpoint (run_id, step, uri, sha256, bytes, committed_at) VALUES (?, ?, ?, ?, ?, coalesce(?, now()))
          ON CONFLICT (run_id, step) DO NOTHING""")) {
        insert.setLong(1, runId);
        insert.setLong(2, checkpoint.step());
        insert.setString(3, checkpoint.uri());
        insert.setString(4, checkpoint.sha256());
        insert.setLong(5, checkpoint.bytes());
        insert.setTimestamp(6, checkpoint.committedAt() == null ? null : Timestamp.from(checkpoint.committedAt()));
        created = insert.executeUpdate() == 1;
      }
      CheckpointView stored;
      try (PreparedStatement select = c.prepareStatement(SELECT + " WHERE c.run_id = ? AND c.step = ?")) {
        select.setLong(1, runId);
        select.setLong(2, checkpoint.step());
        stored = all(select).getFirst();
      }
      if (!created && (!stored.record().sha256().equals(checkpoint.sha256()) || !stored.record().uri().equals(checkpoint.uri()))) {
        throw ApiException.conflict("run " + runId + " already has a checkpoint at step " + checkpoint.step()
            + " with sha256 " + stored.record().sha256() + " at " + stored.record().uri());
      }
      return new Registered(stored, created);
    });
  }

  public List<CheckpointView> list(long runId) throws SQLException {
    return db.read(c -> {
      try (PreparedStatement select = c.prepareStatement(SELECT + " WHERE c.run_id = ? ORDER BY c.step")) {
        select.setLong(1, runId);
        return all(select);
      }
    });
  }

  public Optional<CheckpointView> find(long id) throws SQLException {
    return db.read(c -> {
      try (PreparedStatement select = c.prepareStatement(SELECT + " WHERE c.id = ?")) {
        select.setLong(1, id);
        return all(select).stream().findFirst();
      }
    });
  }

  private static List<CheckpointView> all(PreparedStatement select) throws SQLException {
    try (ResultSet rs = select.executeQuery()) {
      List<CheckpointView> checkpoints = new ArrayList<>();
      while (rs.next()) {
        checkpoints.add(new CheckpointView(rs.getLong("id"), rs.getLong("run_id"), rs.getString("name"),
            rs.getString("namespace"), new CheckpointRecord(rs.getLong("step"), rs.getString("uri"),
                rs.getString("sha256"), rs.getLong("bytes"), instant(rs, "committed_at"))));
      }
      return checkpoints;
    }
  }
}
