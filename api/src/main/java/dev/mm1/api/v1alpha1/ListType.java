package dev.mm1.api.v1alpha1;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The Kubernetes list type of a list field ({@code x-kubernetes-list-type}): {@code set} (unique
 * items) or {@code map} (items unique by {@link #keys()}). The API server enforces it, and so does
 * {@link dev.mm1.api.validation.SpecSchema}; the CRD generator writes it into the schema.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface ListType {
  /** "set" or "map". */
  String value();

  /** For "map": the item fields that identify an item. */
  String[] keys() default {};
}
