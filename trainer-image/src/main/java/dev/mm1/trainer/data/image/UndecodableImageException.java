package dev.mm1.trainer.data.image;

/** Image bytes that no decoder accepts, or that decode to an unusable size. */
public final class UndecodableImageException extends Exception {
  public UndecodableImageException(String message, Throwable cause) {
    super(message, cause);
  }
}
