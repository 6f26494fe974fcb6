package dev.mm1.controlplane.db;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.SQLException;

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

  /** Read-only work in autocommit mode. */
  public <T> T read(Work<T> work) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      return work.run(connection);
    }
  }
}
