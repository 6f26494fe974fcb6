package dev.mm1.trainer.data.mix;

/**
 * SplitMix64 (Steele, Lea, Flood 2014): a fast generator whose whole state is one {@code long},
 * so a pipeline position can be saved and restored exactly. Not thread-safe.
 */
public final class SplitMix64 {
  private static final long GAMMA = 0x9E3779B97F4A7C15L;
  private long state;

  public SplitMix64(long state) {
    this.state = state;
  }

  /** A generator for one of many independent streams (e.g. one per data-parallel lane). */
  public static SplitMix64 forStream(long seed, long stream) {
    return new SplitMix64(mix(seed ^ mix(stream + GAMMA)));
  }

  public long nextLong() {
    state += GAMMA;
    return mix(state);
  }

  /** Uniform in [0, 1) with 53 random bits. */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Uniform in [0, bound). */
  public int nextInt(int bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("bound must be positive, got " + bound);
    }
    return (int) Math.floorMod(nextLong() >>> 1, (long) bound);
  }

  /** The state to save; {@code new SplitMix64(state())} continues the same sequence. */
  public long state() {
    return state;
  }

  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
