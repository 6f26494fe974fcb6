package dev.mm1.api.validation;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The violations one check finds, in the order found; each names its field. */
final class Violations {
  private final List<SchemaViolation> found = new ArrayList<>();

  void add(String field, String problem) {
    found.add(new SchemaViolation(field, problem));
  }

  void add(String field, Optional<String> problem) {
    problem.ifPresent(p -> add(field, p));
  }

  List<SchemaViolation> list() {
    return List.copyOf(found);
  }
}
