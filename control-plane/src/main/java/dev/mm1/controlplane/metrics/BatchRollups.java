package dev.mm1.controlplane.metrics;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.postgresql.PGConnection;

/**
 * The rollup rows of one batch of new points: per series, width and bucket, the minimum and
 * maximum with their steps and times (ties go to the lower step for the minimum and the higher for
 * the maximum, as {@code min(ARRAY[value, step])} and {@code max(…)} order them in SQL) and the count.
 * Computed in Java so the database merges about 17 rows per 1 000 points instead of aggregating
 * every point once per width.
 */
record BatchRollups(int[] seriesIds, int[] widths, long[] buckets, double[] minValues, long[] minSteps,
    double[] maxValues, long[] maxSteps, int[] counts, long[] minTimes, long[] maxTimes) {

  /** Rollups of points sorted by (series, step), for each width; rows ordered by width, series, bucket. */
  static BatchRollups of(int[] widthsToBuild, int[] ids, long[] steps, double[] values, long[] timesMicros) {
    int capacity = 0;
    for (int width : widthsToBuild) {
      int rows = 0;
      for (int k = 0; k < ids.length; k++) {
        if (k == 0 || ids[k] != ids[k - 1] || steps[k] / width != steps[k - 1] / width) {
          rows++;
        }
      }
      capacity += rows;
    }
    BatchRollups r = new BatchRollups(new int[capacity], new int[capacity], new long[capacity], new double[capacity],
        new long[capacity], new double[capacity], new long[capacity], new int[capacity], new long[capacity],
        new long[capacity]);
    int row = -1;
    for (int width : widthsToBuild) {
      for (int k = 0; k < ids.length; k++) {
        long bucket = steps[k] / width;
        if (k == 0 || ids[k] != ids[k - 1] || bucket != steps[k - 1] / width) {
          row++;
          r.seriesIds[row] = ids[k];
          r.widths[row] = width;
          r.buckets[row] = bucket;
          r.minValues[row] = values[k];
          r.minSteps[row] = steps[k];
          r.maxValues[row] = values[k];
          r.maxSteps[row] = steps[k];
          r.minTimes[row] = timesMicros[k];
          r.maxTimes[row] = timesMicros[k];
        } else {
          // Steps ascend within a bucket: a strictly lower value moves the minimum, an equal or higher one the maximum.
          if (values[k] < r.minValues[row]) {
            r.minValues[row] = values[k];
            r.minSteps[row] = steps[k];
            r.minTimes[row] = timesMicros[k];
          }
          if (values[k] >= r.maxValues[row]) {
            r.maxValues[row] = values[k];
            r.maxSteps[row] = steps[k];
            r.maxTimes[row] = timesMicros[k];
          }
        }
        r.counts[row]++;
      }
    }
    return r;
  }

  /** Binds the ten rollup arrays from parameter {@code first} on, in the order of the record's components. */
  void bind(Connection c, PreparedStatement statement, int first) throws SQLException {
    statement.setArray(first, array(c, "int4", seriesIds));
    statement.setArray(first + 1, array(c, "int4", widths));
    statement.setArray(first + 2, array(c, "int8", buckets));
    statement.setArray(first + 3, array(c, "float8", minValues));
    statement.setArray(first + 4, array(c, "int8", minSteps));
    statement.setArray(first + 5, array(c, "float8", maxValues));
    statement.setArray(first + 6, array(c, "int8", maxSteps));
    statement.setArray(first + 7, array(c, "int4", counts));
    statement.setArray(first + 8, array(c, "int8", minTimes));
    statement.setArray(first + 9, array(c, "int8", maxTimes));
  }

  /** A SQL array of a primitive Java array, without boxing each element (PgJDBC encodes it directly). */
  static java.sql.Array array(Connection c, String type, Object primitives) throws SQLException {
    return c.unwrap(PGConnection.class).createArrayOf(type, primitives);
  }
}
