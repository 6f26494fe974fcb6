package dev.mm1.images;

/**
 * Run by {@link DjlNativeCache} in a JVM on the mm1 image's classpath with {@code DJL_CACHE_DIR}
 * set: loading the PyTorch engine and the tokenizers library makes DJL unpack (or, for the GPU
 * flavour, download) their native libraries into that cache. Reflection keeps DJL off this
 * module's own classpath.
 */
public final class DjlWarmup {
  private DjlWarmup() {}

  public static void main(String[] args) throws ReflectiveOperationException {
    var engineClass = Class.forName("ai.djl.engine.Engine");
    var engine = engineClass.getMethod("getEngine", String.class).invoke(null, "PyTorch");
    System.out.println("PyTorch engine " + engineClass.getMethod("getVersion").invoke(engine) + " loaded");
    try {
      var tokenizers = Class.forName("ai.djl.huggingface.tokenizers.jni.LibUtils");
      tokenizers.getMethod("checkStatus").invoke(null);
      System.out.println("tokenizers library loaded");
    } catch (ClassNotFoundException e) {
      System.out.println("no tokenizers on the classpath");
    }
  }
}
