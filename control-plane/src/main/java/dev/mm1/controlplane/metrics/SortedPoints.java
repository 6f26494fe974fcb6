package dev.mm1.controlplane.metrics;

import dev.mm1.api.rest.MetricPoint;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The points of one batch as the database takes them: sorted by (series, step), at most one per
 * series and step (of points repeated within the batch the last one wins, as it would across
 * batches), in primitive arrays bound to SQL arrays without boxing. The sort also makes
 * concurrent batches take row locks in the same order.
 */
record SortedPoints(int[] ids, long[] steps, double[] values, long[] timesMicros) {

  /**
   * @param seriesIds the series id of every name in {@code points}
   * @param nowMicros the time (epoch microseconds) of points that carry none
   */
  static SortedPoints of(List<MetricPoint> points, Map<String, Integer> seriesIds, long nowMicros) {
    int n = points.size();
    int[] ids = new int[n];
    long[] steps = new long[n];
    String lastName = null;
    int lastId = 0;
    boolean sorted = true;
    for (int i = 0; i < n; i++) {
      MetricPoint p = points.get(i);
      if (p.name() != lastName) { // names parsed from one batch are mostly the same instance
        lastName = p.name();
        lastId = seriesIds.get(lastName);
      }
      ids[i] = lastId;
      steps[i] = p.step();
      sorted &= i == 0 || compare(ids, steps, i - 1, i) <= 0;
    }
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    if (!sorted) {
      order = mergeSort(order, ids, steps);
    }
    int unique = 0;
    for (int k = 0; k < n; k++) {
      if (k == n - 1 || compare(ids, steps, order[k], order[k + 1]) != 0) {
        order[unique++] = order[k]; // the sort is stable: the last of equal points is the batch's last
      }
    }
    SortedPoints result = new SortedPoints(new int[unique], new long[unique], new double[unique], new long[unique]);
    for (int k = 0; k < unique; k++) {
      MetricPoint p = points.get(order[k]);
      result.ids[k] = ids[order[k]];
      result.steps[k] = steps[order[k]];
      result.values[k] = p.value();
      result.timesMicros[k] = p.time() == null ? nowMicros : epochMicros(p.time());
    }
    return result;
  }

  /** Microseconds since the epoch; exact for the years 1 to 9999 the API accepts. */
  static long epochMicros(Instant time) {
    return time.getEpochSecond() * 1_000_000L + time.getNano() / 1_000;
  }

  /**
   * The batch as chunks, one per series in ascending id order (the order in which writers take
   * series locks): each chunk's step range and its slice of the point arrays (first point counted
   * from 1, as SQL arrays are).
   */
  record Chunks(int[] seriesIds, long[] firstSteps, long[] lastSteps, int[] firstPoints, int[] points) {}

  Chunks chunks() {
    int count = seriesCount();
    Chunks chunks = new Chunks(new int[count], new long[count], new long[count], new int[count], new int[count]);
    int chunk = -1;
    for (int k = 0; k < ids.length; k++) {
      if (k == 0 || ids[k] != ids[k - 1]) {
        chunk++;
        chunks.seriesIds[chunk] = ids[k];
        chunks.firstSteps[chunk] = steps[k];
        chunks.firstPoints[chunk] = k + 1;
      }
      chunks.lastSteps[chunk] = steps[k];
      chunks.points[chunk]++;
    }
    return chunks;
  }

  int size() {
    return ids.length;
  }

  /** How many series the points belong to. */
  int seriesCount() {
    int count = 0;
    for (int k = 0; k < ids.length; k++) {
      if (k == 0 || ids[k] != ids[k - 1]) {
        count++;
      }
    }
    return count;
  }

  /** The highest step of any point, or -1 without points. */
  long maxStep() {
    long max = -1;
    for (long step : steps) {
      max = Math.max(max, step);
    }
    return max;
  }

  /** The index of the series' point with the highest step, or -1 when the batch has none of it. */
  int latest(Integer seriesId) {
    if (seriesId == null) {
      return -1;
    }
    int id = seriesId;
    for (int k = ids.length - 1; k >= 0; k--) {
      if (ids[k] == id) {
        return k;
      }
    }
    return -1;
  }

  private static int compare(int[] ids, long[] steps, int a, int b) {
    int bySeries = Integer.compare(ids[a], ids[b]);
    return bySeries != 0 ? bySeries : Long.compare(steps[a], steps[b]);
  }

  /** A stable bottom-up merge sort of indices by (series, step). */
  private static int[] mergeSort(int[] order, int[] ids, long[] steps) {
    int n = order.length;
    int[] from = order;
    int[] to = new int[n];
    for (int width = 1; width < n; width *= 2) {
      for (int lo = 0; lo < n; lo += 2 * width) {
        int mid = Math.min(lo + width, n);
        int hi = Math.min(lo + 2 * width, n);
        int i = lo;
        int j = mid;
        for (int k = lo; k < hi; k++) {
          // Taking from the left run on ties keeps equal points in batch order.
          to[k] = j >= hi || i < mid && compare(ids, steps, from[i], from[j]) <= 0 ? from[i++] : from[j++];
        }
      }
      int[] swap = from;
      from = to;
      to = swap;
    }
    return from;
  }
}
