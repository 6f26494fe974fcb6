package dev.mm1.operator.controlplane;

/** The control plane could not be reached or answered with an error; reconciling goes on without it. */
public class ControlPlaneException extends Exception {
  private final int status;

  public ControlPlaneException(String message, Throwable cause) {
    super(message, cause);
    this.status = 0;
  }

  public ControlPlaneException(String message) {
    this(message, 0);
  }

  public ControlPlaneException(String message, int status) {
    super(message);
    this.status = status;
  }

  /** No answer at all (refused, timed out) or a gateway's 502/503/504: the control plane is down. */
  public boolean unreachable() {
    return status == 0 || status == 502 || status == 503 || status == 504;
  }

  /** Worth repeating later: down, overloaded (429), a server error, or not registered yet (404). */
  public boolean retryable() {
    return unreachable() || status == 429 || status == 404 || status >= 500;
  }

  /** 409 on a state change: the run is already in a final state. */
  public boolean finalState() {
    return status == 409;
  }
}
