package dev.mm1.api.validation;

/**
 * One way a resource breaks its CRD schema.
 *
 * @param field JSON path of the offending field, such as {@code $.spec.resources.nodes}
 * @param problem what is wrong there and what is allowed
 */
public record SchemaViolation(String field, String problem) {
  @Override
  public String toString() {
    return field + ": " + problem;
  }
}
