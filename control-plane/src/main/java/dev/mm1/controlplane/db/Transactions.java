package dev.mm1.controlplane.db;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Runs a unit of work in one JDBC transaction: committed when it returns, rolled back when it throws. */
@ApplicationScoped
public class Transactions {
  private final AgroalDataSource dataSource;

  Transactions(AgroalDataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** A unit of work on one connection. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  public <T> T inTransaction(Work<T> work) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        T result = work.run(connection);
        connection.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        try {
          connection.rollback();
        } catch (SQLException rollbackFailure) {
          e.addSuppressed(rollbackFailure); // e.g. the database went away; e says why
        }
        throw e;
      }
    }
  }

  /** Binds the parameters of a statement. */
  @FunctionalInterface
  public interface Binder {
    void bind(Connection connection, PreparedStatement statement) throws SQLException;
  }

  /** Reads a result set. */
  @FunctionalInterface
  public interface Reader<T> {
    T read(ResultSet resultSet) throws SQLException;
  }

  /**
   * Executes statements separated by ';' as one transaction in one round trip, where
   * {@link #inTransaction} takes three (BEGIN with the first statement, the second, COMMIT). In
   * autocommit mode PgJDBC sends them as one extended-protocol sequence closed by a single Sync,
   * and PostgreSQL runs such a sequence as one implicit transaction: committed at the Sync, rolled
   * back whole when any statement fails (a test holds the driver to this). Transaction-scoped
   * locks taken by the first statement are held until the last has committed.
   *
   * @return what {@code reader} read from the last result set, or null when no statement answered rows
   */
  public <T> T executeAtomically(String statements, Binder binder, Reader<T> reader) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(statements)) {
      connection.setAutoCommit(true);
      binder.bind(connection, statement);
      ResultSet last = null;
      try {
        for (boolean rows = statement.execute(); rows || statement.getUpdateCount() != -1;
            rows = statement.getMoreResults(Statement.KEEP_CURRENT_RESULT)) {
          if (rows) {
            if (last != null) {
              last.close();
            }
            last = statement.getResultSet();
          }
        }
        return last == null ? null : reader.read(last);
      } finally {
        if (last != null) {
          last.close();
        }
      }
    }
  }

  /** Read-only work in autocommit mode. */
  public <T> T read(Work<T> work) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      return work.run(connection);
    }
  }
}
