package dev.mm1.operator.controlplane;

/** The control plane could not be reached or answered with an error; reconciling goes on without it. */
public class ControlPlaneException extends Exception {
  public ControlPlaneException(String message, Throwable cause) {
    super(message, cause);
  }

  public ControlPlaneException(String message) {
    super(message);
  }
}
