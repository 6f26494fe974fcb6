package dev.mm1.controlplane.problem;

import jakarta.ws.rs.core.Response.Status;

/**
 * An error a client can act on, answered as RFC 9457 problem details; {@code detail} names the
 * field or value and what is allowed.
 */
public class ApiException extends RuntimeException {
  private final int status;

  public ApiException(int status, String detail) {
    super(detail);
    this.status = status;
  }

  public int status() {
    return status;
  }

  public static ApiException badRequest(String detail) {
    return new ApiException(Status.BAD_REQUEST.getStatusCode(), detail);
  }

  public static ApiException notFound(String detail) {
    return new ApiException(Status.NOT_FOUND.getStatusCode(), detail);
  }

  public static ApiException conflict(String detail) {
    return new ApiException(Status.CONFLICT.getStatusCode(), detail);
  }

  public static ApiException tooLarge(String detail) {
    return new ApiException(Status.REQUEST_ENTITY_TOO_LARGE.getStatusCode(), detail);
  }

  public static ApiException unauthorized(String detail) {
    return new ApiException(Status.UNAUTHORIZED.getStatusCode(), detail);
  }

  public static ApiException forbidden(String detail) {
    return new ApiException(Status.FORBIDDEN.getStatusCode(), detail);
  }

  /** A required field that is null or blank. */
  public static ApiException missing(String field) {
    return badRequest(field + " is required");
  }
}
