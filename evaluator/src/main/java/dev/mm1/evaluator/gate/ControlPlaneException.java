package dev.mm1.evaluator.gate;

/** The control plane could not be reached, or refused or failed a request; the message says which and why. */
public class ControlPlaneException extends Exception {
  public ControlPlaneException(String message) {
    super(message);
  }

  public ControlPlaneException(String message, Throwable cause) {
    super(message, cause);
  }
}
