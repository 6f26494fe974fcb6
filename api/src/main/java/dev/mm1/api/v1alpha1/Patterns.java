package dev.mm1.api.v1alpha1;

/**
 * Kubernetes grammars used as schema patterns, so the API server and {@code ./mm1 validate} refuse
 * what a Job or pod would later be refused for. Each is valid RE2 (the API server's regex engine),
 * ECMA-262 and Java syntax.
 */
public final class Patterns {
  private Patterns() {}

  /** A resource quantity ("500m", "64Gi", "1e3"): Kubernetes' own pattern for resource.Quantity. */
  public static final String QUANTITY =
      "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$";

  /**
   * A container image reference, as the distribution/reference grammar defines it:
   * [registry[:port]/]path[:tag][@digest], lower-case path components.
   */
  public static final String IMAGE_REFERENCE =
      "^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*"
          + "(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*)*"
          + "(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$";
}
