package dev.mm1.operator.validation;

import dev.mm1.api.validation.SchemaViolation;
import java.util.List;

/**
 * A spec the operator refuses: every violation, each a field (as a JSON path such as
 * {@code $.spec.resources.nodes}) and what is allowed there. The reconcilers turn it into
 * {@code Ready=False, reason=InvalidSpec} naming the first field, and a Warning event, never into a
 * stack trace.
 */
public class InvalidSpecException extends Exception {
  private final List<SchemaViolation> violations;

  public InvalidSpecException(List<SchemaViolation> violations) {
    super(violations.getFirst().toString());
    this.violations = List.copyOf(violations);
  }

  /** JSON path of the first offending field. */
  public String field() {
    return violations.getFirst().field();
  }

  /** What is wrong there, and how many other problems there are. */
  public String problem() {
    var more = violations.size() - 1;
    return violations.getFirst().problem() + (more == 0 ? "" : " (and " + more + " more: " + violations.get(1)
        + (more > 1 ? ", ..." : "") + ")");
  }

  public List<SchemaViolation> violations() {
    return violations;
  }
}
