package dev.mm1.model;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;

/**
 * The DJL settings every process that runs the model makes before its first DJL call (they are
 * read once, when the engine starts): no download (libtorch comes from the bundled native jar),
 * the PyTorch engine (the tokenizers jar registers a second one), a fixed thread count, which
 * with the same count on resume keeps losses bit-identical, and a C allocator that keeps the
 * memory it frees.
 */
public final class EngineSettings {
  // glibc's mallopt parameters (malloc.h).
  private static final int M_TRIM_THRESHOLD = -1;
  private static final int M_TOP_PAD = -2;
  private static final int M_MMAP_THRESHOLD = -3;
  private static final int MEBIBYTE = 1 << 20;

  private EngineSettings() {}

  public static void configure(int threads) {
    System.setProperty("ai.djl.offline", "true");
    System.setProperty("ai.djl.default_engine", "PyTorch");
    System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(Math.max(1, threads)));
    System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    keepFreedMemory();
  }

  /**
   * libtorch's CPU tensors come from malloc. glibc serves blocks above a sliding threshold with a
   * fresh mmap and trims its heap when the top is free, so a tensor of a few MB allocated and freed
   * at every step costs page faults on every touch: batched decoding measured 0.7 to 1.8 times one
   * query at a time depending on what ran before, 2.9 to 3.1 times with the memory kept. PyTorch's CPU
   * guides swap in jemalloc for the same reason; glibc's own knobs do it without a native library:
   * blocks up to 32 MiB (glibc's ceiling for this setting) come from the heap, and the heap is never
   * trimmed below what the process used. A no-op where the C library has no mallopt (not glibc).
   */
  private static void keepFreedMemory() {
    var linker = Linker.nativeLinker();
    var mallopt = linker.defaultLookup().find("mallopt");
    if (mallopt.isEmpty()) {
      return;
    }
    var handle = linker.downcallHandle(mallopt.get(),
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    try {
      for (int[] option : new int[][] {{M_MMAP_THRESHOLD, 32 * MEBIBYTE}, {M_TRIM_THRESHOLD, Integer.MAX_VALUE},
          {M_TOP_PAD, 64 * MEBIBYTE}}) {
        int ignored = (int) handle.invokeExact(option[0], option[1]); // 1 when taken; a refusal leaves glibc's default
      }
    } catch (Throwable e) {
      throw new IllegalStateException("mallopt failed", e);
    }
  }
}
