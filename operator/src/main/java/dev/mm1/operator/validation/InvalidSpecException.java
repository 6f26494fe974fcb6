package dev.mm1.operator.validation;

/**
 * A spec the operator refuses: the field (as a JSON path such as {@code $.spec.resources.nodes})
 * and what is allowed there. The reconcilers turn it into {@code Ready=False, reason=InvalidSpec}
 * and a Warning event, never into a stack trace.
 */
public class InvalidSpecException extends Exception {
  private final String field;
  private final String problem;

  public InvalidSpecException(String field, String problem) {
    super(field + ": " + problem);
    this.field = field;
    this.problem = problem;
  }

  /** JSON path of the offending field. */
  public String field() {
    return field;
  }

  /** What is wrong and what is allowed. */
  public String problem() {
    return problem;
  }
}
