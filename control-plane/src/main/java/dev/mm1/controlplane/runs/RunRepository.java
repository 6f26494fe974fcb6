package dev.mm1.controlplane.runs;

import static dev.mm1.controlplane.db.Rows.doubleOrNull;
import static dev.mm1.controlplane.db.Rows.idOrNull;
import static dev.mm1.controlplane.db.Rows.instant;
import static dev.mm1.controlplane.db.Rows.longOrNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mm1.api.rest.CheckpointRecord;
import dev.mm1.api.rest.CreateRunRequest;
import dev.mm1.api.rest.Run;
import dev.mm1.api.rest.RunKind;
import dev.mm1.api.rest.RunState;
import dev.mm1.api.rest.RunStateChange;
import dev.mm1.controlplane.db.Transactions;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Runs, their lineage and their audit trail of state changes. */
@ApplicationScoped
public class RunRepository {
  /** The run columns with its newest checkpoint, for {@link #view}. */
  private static final String SELECT_RUN = """
      SELECT r.id, r.name, r.namespace, r.kind, r.external_id, r.parent_run_id, r.state, r.spec::text AS spec,
             r.created_at, r.updated_at, r.last_step, r.last_loss, r.total_steps, r.last_tokens_per_s,
             c.step AS c_step, c.uri AS c_uri, c.sha256 AS c_sha256, c.bytes AS c_bytes, c.committed_at AS c_committed_at
      FROM run r
      LEFT JOIN LATERAL (SELECT * FROM checkpoint c WHERE c.run_id = r.id ORDER BY c.step DESC LIMIT 1) c ON true
      """;

  private final Transactions db;
  private final ObjectMapper json;

  RunRepository(Transactions db, ObjectMapper json) {
    this.db = db;
    this.json = json;
  }

  /** A run id from a path or body: a positive number; anything else names no run. */
  public static Optional<Long> parseId(String id) {
    if (id == null || id.isEmpty() || id.length() > 18 || !id.chars().allMatch(Character::isDigit)) {
      return Optional.empty();
    }
    return Optional.of(Long.parseLong(id));
  }

  /** The result of registering: the run and whether it was created now (false: it existed). */
  public record Registered(RunView run, boolean created) {}

  /**
   * Inserts a run unless one with the same external id exists; registration is audited as the
   * first state change.
   */
  public Registered register(CreateRunRequest request, Long parentRunId, Long totalSteps, String actor)
      throws SQLException {
    return db.inTransaction(c -> {
      Long id;
      try (PreparedStatement insert = c.prepareStatement("""
          INSERT INTO run (external_id, name, namespace, kind, parent_run_id, spec, total_steps)
          VALUES (?, ?, ?, ?, ?, ?::jsonb, ?)
          ON CONFLICT (external_id) DO NOTHING RETURNING id""")) {
        insert.setString(1, request.externalId());
        insert.setString(2, request.name());
        insert.setString(3, request.namespace());
        insert.setString(4, request.kind().name());
        insert.setObject(5, parentRunId);
        insert.setString(6, request.spec() == null ? "{}" : request.spec().toString());
        insert.setObject(7, totalSteps);
        try (ResultSet rs = insert.executeQuery()) {
          id = rs.next() ? rs.getLong(1) : null;
        }
      }
      if (id == null) {
        return new Registered(byExternalId(c, request.externalId()), false);
      }
      audit(c, id, null, RunState.Pending, "Registered", "registered by " + actor, null, actor);
      return new Registered(view(c, id).orElseThrow(), true);
    });
  }

  private RunView byExternalId(Connection c, String externalId) throws SQLException {
    try (PreparedStatement select = c.prepareStatement(SELECT_RUN + " WHERE r.external_id = ?")) {
      select.setString(1, externalId);
      return single(select).orElseThrow();
    }
  }

  /**
   * The run with this id, or else with this externalId (a custom resource's UID): the operator
   * gives pods created while the control plane was down the UID, which names the run once the
   * operator has registered it.
   */
  public Optional<RunView> find(String id) throws SQLException {
    Optional<Long> parsed = parseId(id);
    if (parsed.isPresent()) {
      return db.read(c -> view(c, parsed.get()));
    }
    if (id == null || id.isEmpty() || id.length() > 256) {
      return Optional.empty();
    }
    return db.read(c -> {
      try (PreparedStatement select = c.prepareStatement(SELECT_RUN + " WHERE r.external_id = ?")) {
        select.setString(1, id);
        return single(select);
      }
    });
  }

  /** The numeric id of the run named by its id or externalId, without reading the run. */
  public Optional<Long> resolveId(String id) throws SQLException {
    Optional<Long> parsed = parseId(id);
    if (parsed.isPresent() || id == null || id.isEmpty() || id.length() > 256) {
      return parsed;
    }
    return db.read(c -> {
      try (PreparedStatement select = c.prepareStatement("SELECT id FROM run WHERE external_id = ?")) {
        select.setString(1, id);
        try (ResultSet rs = select.executeQuery()) {
          return rs.next() ? Optional.of(rs.getLong(1)) : Optional.<Long>empty();
        }
      }
    });
  }

  /** Whether a run exists: the cheap check of the ingestion path (no spec parsing). */
  public boolean exists(long id) throws SQLException {
    return db.read(c -> {
      try (PreparedStatement select = c.prepareStatement("SELECT 1 FROM run WHERE id = ?")) {
        select.setLong(1, id);
        try (ResultSet rs = select.executeQuery()) {
          return rs.next();
        }
      }
    });
  }

  Optional<RunView> view(Connection c, long id) throws SQLException {
    try (PreparedStatement select = c.prepareStatement(SELECT_RUN + " WHERE r.id = ?")) {
      select.setLong(1, id);
      return single(select);
    }
  }

  public List<RunView> list(RunFilter filter) throws SQLException {
    StringBuilder sql = new StringBuilder(SELECT_RUN).append(" WHERE true");
    List<Object> params = new ArrayList<>();
    if (filter.state() != null) {
      sql.append(" AND r.state = ?");
      params.add(filter.state().name());
    }
    if (filter.kind() != null) {
      sql.append(" AND r.kind = ?");
      params.add(filter.kind().name());
    }
    if (filter.namespace() != null) {
      sql.append(" AND r.namespace = ?");
      params.add(filter.namespace());
    }
    if (filter.parentRunId() != null) {
      sql.append(" AND r.parent_run_id = ?");
      params.add(filter.parentRunId());
    }
    if (filter.search() != null && !filter.search().isBlank()) {
      sql.append(" AND (r.name ILIKE ? ESCAPE '\\' OR r.namespace ILIKE ? ESCAPE '\\' OR r.external_id ILIKE ? ESCAPE '\\')");
      String pattern = "%" + filter.search().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
      params.add(pattern);
      params.add(pattern);
      params.add(pattern);
    }
    sql.append(" ORDER BY r.created_at DESC, r.id DESC LIMIT ? OFFSET ?");
    params.add(filter.limit());
    params.add(filter.offset());
    return db.read(c -> {
      try (PreparedStatement select = c.prepareStatement(sql.toString())) {
        for (int i = 0; i < params.size(); i++) {
          select.setObject(i + 1, params.get(i));
        }
        return all(select);
      }
    });
  }

  /** The outcome of a transition: the run after it, and whether its state changed. */
  public record Transitioned(RunView run, boolean changed) {}

  /**
   * Moves a run to {@code to}. Locks the run's row so concurrent transitions are ordered; a final
   * state cannot be left. Repeating the current state changes nothing and is not audited again,
   * unless it names a later attempt than any recorded (a trainer restarted without an operator
   * reports Running again with its new attempt).
   */
  public Optional<Transitioned> transition(long id, RunState to, String reason, String message, Integer attempt,
      String actor) throws SQLException {
    return db.inTransaction(c -> {
      RunState from;
      try (PreparedStatement lock = c.prepareStatement("SELECT state FROM run WHERE id = ? FOR UPDATE")) {
        lock.setLong(1, id);
        try (ResultSet rs = lock.executeQuery()) {
          if (!rs.next()) {
            return Optional.empty();
          }
          from = RunState.valueOf(rs.getString(1));
        }
      }
      if (from == to) {
        boolean newAttempt = attempt != null && !from.isFinal() && attempt > latestAttempt(c, id);
        if (newAttempt) {
          audit(c, id, from, to, reason, message, attempt, actor);
        }
        return Optional.of(new Transitioned(view(c, id).orElseThrow(), false));
      }
      if (from.isFinal()) {
        throw dev.mm1.controlplane.problem.ApiException.conflict("run " + id + " is " + from
            + ", a final state; it cannot become " + to);
      }
      try (PreparedStatement update = c.prepareStatement("UPDATE run SET state = ?, updated_at = now() WHERE id = ?")) {
        update.setString(1, to.name());
        update.setLong(2, id);
        update.executeUpdate();
      }
      audit(c, id, from, to, reason, message, attempt, actor);
      return Optional.of(new Transitioned(view(c, id).orElseThrow(), true));
    });
  }

  /** The highest attempt a state change of the run named, 0 when none did. */
  private static int latestAttempt(Connection c, long runId) throws SQLException {
    try (PreparedStatement select = c.prepareStatement(
        "SELECT coalesce(max(attempt), 0) FROM run_state_change WHERE run_id = ?")) {
      select.setLong(1, runId);
      try (ResultSet rs = select.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  private static void audit(Connection c, long runId, RunState from, RunState to, String reason, String message,
      Integer attempt, String actor) throws SQLException {
    try (PreparedStatement insert = c.prepareStatement("""
        INSERT INTO run_state_change (run_id, from_state, to_state, reason, message, actor, attempt)
        VALUES (?, ?, ?, ?, ?, ?, ?)""")) {
      insert.setLong(1, runId);
      insert.setString(2, from == null ? null : from.name());
      insert.setString(3, to.name());
      insert.setString(4, reason);
      insert.setString(5, message);
      insert.setString(6, actor);
      insert.setObject(7, attempt);
      insert.executeUpdate();
    }
  }

  public List<RunStateChange> transitions(long runId) throws SQLException {
    return db.read(c -> {
      try (PreparedStatement select = c.prepareStatement("""
          SELECT from_state, to_state, reason, message, actor, changed_at, attempt FROM run_state_change
          WHERE run_id = ? ORDER BY changed_at, id""")) {
        select.setLong(1, runId);
        try (ResultSet rs = select.executeQuery()) {
          List<RunStateChange> changes = new ArrayList<>();
          while (rs.next()) {
            String from = rs.getString("from_state");
            changes.add(new RunStateChange(from == null ? null : RunState.valueOf(from),
                RunState.valueOf(rs.getString("to_state")), rs.getString("reason"), rs.getString("message"),
                rs.getString("actor"), instant(rs, "changed_at"), (Integer) rs.getObject("attempt")));
          }
          return changes;
        }
      }
    });
  }

  /** The parent, grandparent, ... of a run, nearest first (cycles cannot occur: parents exist before children). */
  public List<RunView> ancestors(long id) throws SQLException {
    return db.read(c -> {
      try (PreparedStatement select = c.prepareStatement("""
          WITH RECURSIVE up(id, depth) AS (
            SELECT parent_run_id, 1 FROM run WHERE id = ? AND parent_run_id IS NOT NULL
            UNION ALL
            SELECT r.parent_run_id, up.depth + 1 FROM run r JOIN up ON r.id = up.id
            WHERE r.parent_run_id IS NOT NULL AND up.depth < 1000)
          """ + SELECT_RUN + " JOIN up ON up.id = r.id ORDER BY up.depth")) {
        select.setLong(1, id);
        return all(select);
      }
    });
  }

  /** Every run deriving from a run, breadth first. */
  public List<RunView> descendants(long id) throws SQLException {
    return db.read(c -> {
      try (PreparedStatement select = c.prepareStatement("""
          WITH RECURSIVE down(id, depth) AS (
            SELECT id, 1 FROM run WHERE parent_run_id = ?
            UNION ALL
            SELECT r.id, down.depth + 1 FROM run r JOIN down ON r.parent_run_id = down.id WHERE down.depth < 1000)
          """ + SELECT_RUN + " JOIN down ON down.id = r.id ORDER BY down.depth, r.id")) {
        select.setLong(1, id);
        return all(select);
      }
    });
  }

  /** The newest training run of this name in this namespace (an MM1Eval's fromTraining). */
  public Optional<RunView> latestTraining(String namespace, String name) throws SQLException {
    return db.read(c -> {
      try (PreparedStatement select = c.prepareStatement(SELECT_RUN
          + " WHERE r.namespace = ? AND r.name = ? AND r.kind = 'Training' ORDER BY r.created_at DESC, r.id DESC LIMIT 1")) {
        select.setString(1, namespace);
        select.setString(2, name);
        return single(select);
      }
    });
  }

  private Optional<RunView> single(PreparedStatement select) throws SQLException {
    List<RunView> runs = all(select);
    return runs.isEmpty() ? Optional.empty() : Optional.of(runs.getFirst());
  }

  private List<RunView> all(PreparedStatement select) throws SQLException {
    try (ResultSet rs = select.executeQuery()) {
      List<RunView> runs = new ArrayList<>();
      while (rs.next()) {
        runs.add(map(rs));
      }
      return runs;
    }
  }

  private RunView map(ResultSet rs) throws SQLException {
    Long checkpointStep = longOrNull(rs, "c_step");
    CheckpointRecord checkpoint = checkpointStep == null ? null : new CheckpointRecord(checkpointStep,
        rs.getString("c_uri"), rs.getString("c_sha256"), rs.getLong("c_bytes"), instant(rs, "c_committed_at"));
    Run run = new Run(
        String.valueOf(rs.getLong("id")),
        rs.getString("name"),
        rs.getString("namespace"),
        RunKind.valueOf(rs.getString("kind")),
        rs.getString("external_id"),
        idOrNull(rs, "parent_run_id"),
        RunState.valueOf(rs.getString("state")),
        parse(rs.getString("spec")),
        instant(rs, "created_at"),
        instant(rs, "updated_at"),
        longOrNull(rs, "last_step"),
        doubleOrNull(rs, "last_loss"),
        checkpoint);
    return new RunView(run, longOrNull(rs, "total_steps"), doubleOrNull(rs, "last_tokens_per_s"));
  }

  private JsonNode parse(String spec) {
    try {
      return json.readTree(spec);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
