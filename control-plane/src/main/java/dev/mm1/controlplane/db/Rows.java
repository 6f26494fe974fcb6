package dev.mm1.controlplane.db;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

/** Reading nullable columns of a result set. */
public final class Rows {
  private Rows() {}

  public static Instant instant(ResultSet rs, String column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant();
  }

  public static Long longOrNull(ResultSet rs, String column) throws SQLException {
    long value = rs.getLong(column);
    return rs.wasNull() ? null : value;
  }

  public static Double doubleOrNull(ResultSet rs, String column) throws SQLException {
    double value = rs.getDouble(column);
    return rs.wasNull() ? null : value;
  }

  public static String idOrNull(ResultSet rs, String column) throws SQLException {
    Long value = longOrNull(rs, column);
    return value == null ? null : value.toString();
  }
}
