package dev.mm1.model.config;

/** Validation of config fields: each failure names the setting, its value and what is allowed. */
final class Require {
  private Require() {}

  static int positive(String setting, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(setting + " is " + value + "; allowed: an integer >= 1");
    }
    return value;
  }

  static double positive(String setting, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(setting + " is " + value + "; allowed: a finite number > 0");
    }
    return value;
  }

  static double nonNegative(String setting, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(setting + " is " + value + "; allowed: a finite number >= 0");
    }
    return value;
  }

  static void divisible(String setting, int value, String divisorSetting, int divisor) {
    if (value % divisor != 0) {
      throw new IllegalArgumentException(setting + " " + value + " is not divisible by " + divisorSetting + " "
          + divisor + "; allowed: a multiple of " + divisor);
    }
  }

  static <T> T present(String setting, T value) {
    if (value == null) {
      throw new IllegalArgumentException(setting + " is missing");
    }
    return value;
  }

  /** The integer square root of a perfect square, else an error naming the setting. */
  static int squareRoot(String setting, int value) {
    int root = (int) Math.round(Math.sqrt(value));
    if (value <= 0 || root * root != value) {
      int below = (int) Math.floor(Math.sqrt(Math.max(value, 1)));
      throw new IllegalArgumentException(setting + " is " + value + "; allowed: a perfect square such as "
          + below * below + " or " + (below + 1) * (below + 1) + " (16, 64, 144, ...)");
    }
    return root;
  }
}
