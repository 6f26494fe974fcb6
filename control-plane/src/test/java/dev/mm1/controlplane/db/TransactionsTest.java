package dev.mm1.controlplane.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** What metric ingestion relies on: statements executed together commit together or not at all. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class TransactionsTest {
  @Inject
  Transactions db;

  @Test
  void statementsExecutedAtomicallyCommitTogether() throws SQLException {
    db.read(c -> c.createStatement().execute("CREATE TABLE IF NOT EXISTS atomic_ok (n int)"));
    Long stored = db.executeAtomically(
        "INSERT INTO atomic_ok VALUES (?); SELECT 7; INSERT INTO atomic_ok VALUES (?); SELECT count(*) FROM atomic_ok",
        (c, s) -> {
          s.setInt(1, 1);
          s.setInt(2, 2);
        }, rs -> rs.next() ? rs.getLong(1) : null);
    assertThat(stored).as("read from the last result set").isEqualTo(2);
    assertThat(count("atomic_ok")).isEqualTo(2);
  }

  @Test
  void aFailingStatementRollsBackTheOnesBeforeIt() throws SQLException {
    db.read(c -> c.createStatement().execute("CREATE TABLE IF NOT EXISTS atomic_rollback (n int PRIMARY KEY)"));
    db.executeAtomically("INSERT INTO atomic_rollback VALUES (1)", (c, s) -> {}, rs -> null);
    // The lock, then an insert, then a duplicate key: like a batch repeating a stored point.
    assertThatThrownBy(() -> db.executeAtomically(
        "SELECT pg_advisory_xact_lock(42); INSERT INTO atomic_rollback VALUES (2); INSERT INTO atomic_rollback VALUES (1)",
        (c, s) -> {}, rs -> null))
        .isInstanceOf(SQLException.class).extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("23505");
    assertThat(count("atomic_rollback")).isEqualTo(1);
    // The transaction-scoped lock ended with the rolled-back transaction: another session takes it at once.
    boolean lockFree = db.read(c -> {
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_try_advisory_lock(42)")) {
        rs.next();
        boolean taken = rs.getBoolean(1);
        s.execute("SELECT pg_advisory_unlock(42)");
        return taken;
      }
    });
    assertThat(lockFree).isTrue();
  }

  private long count(String table) throws SQLException {
    return db.read(c -> {
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
        rs.next();
        return rs.getLong(1);
      }
    });
  }
}
