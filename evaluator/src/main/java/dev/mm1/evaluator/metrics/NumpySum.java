package dev.mm1.evaluator.metrics;

/**
 * {@code numpy.sum} of float64 values: numpy adds with pairwise summation (eight running sums per
 * block of 128), which rounds differently from a plain loop; {@code np.mean} divides it by n.
 */
final class NumpySum {
  private static final int BLOCK = 128;

  private NumpySum() {}

  static double mean(double[] values) {
    return sum(values, 0, values.length) / values.length;
  }

  static double sum(double[] a, int start, int n) {
    if (n < 8) {
      double sum = 0.0;
      for (int i = 0; i < n; i++) {
        sum += a[start + i];
      }
      return sum;
    }
    if (n <= BLOCK) {
      double[] r = new double[8];
      System.arraycopy(a, start, r, 0, 8);
      int i = 8;
      for (; i < n - (n % 8); i += 8) {
        for (int j = 0; j < 8; j++) {
          r[j] += a[start + i + j];
        }
      }
      double sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
      for (; i < n; i++) {
        sum += a[start + i];
      }
      return sum;
    }
    int half = n / 2;
    half -= half % 8;
    return sum(a, start, half) + sum(a, start + half, n - half);
  }
}
