package dev.mm1.model;

/**
 * The DJL settings every process that runs the model makes before its first DJL call (they are
 * read once, when the engine starts): no download (libtorch comes from the bundled native jar),
 * the PyTorch engine (the tokenizers jar registers a second one), and a fixed thread count, which
 * with the same count on resume keeps losses bit-identical.
 */
public final class EngineSettings {
  private EngineSettings() {}

  public static void configure(int threads) {
    System.setProperty("ai.djl.offline", "true");
    System.setProperty("ai.djl.default_engine", "PyTorch");
    System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(Math.max(1, threads)));
    System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
  }
}
