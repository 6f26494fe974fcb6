package dev.mm1.images;

/**
 * A build that cannot go on, with a message that names what is wrong and how to fix it (printed
 * as it is, never as a stack trace).
 */
public final class ImageBuildException extends RuntimeException {
  /** Bad input: a missing or malformed base, module package, name or option. */
  public static final int INVALID_INPUT = 2;
  /** A registry that cannot be reached or refuses the image. */
  public static final int REGISTRY = 3;

  private final int exitCode;

  public ImageBuildException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public ImageBuildException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  static ImageBuildException invalid(String message) {
    return new ImageBuildException(INVALID_INPUT, message);
  }

  public int exitCode() {
    return exitCode;
  }
}
