package dev.mm1.images;

import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The one naming scheme of the platform's images: {@code REGISTRY/mm1},
 * {@code REGISTRY/mm1-operator} and {@code REGISTRY/mm1-control-plane}, all tagged {@code TAG}
 * (the GPU flavour of mm1 is {@code TAG-cuda}). The root pom sets REGISTRY and TAG
 * ({@code mm1.image.registry}, {@code mm1.image.tag}); the operator's default worker image and
 * {@code manifests/base/kustomization.yaml} use the same names.
 *
 * @param registry registry host and path, e.g. ghcr.io/mm1-platform
 * @param tag the tag of every image, e.g. 0.1.0
 */
public record ImageNames(String registry, String tag) {
  public static final String MM1 = "mm1";
  public static final String OPERATOR = "mm1-operator";
  public static final String CONTROL_PLANE = "mm1-control-plane";
  public static final List<String> ALL = List.of(MM1, OPERATOR, CONTROL_PLANE);
  /** Suffix of the GPU flavour's tag. */
  public static final String CUDA_SUFFIX = "-cuda";

  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");

  public ImageNames {
    if (registry == null || registry.isBlank()) {
      throw ImageBuildException.invalid("the image registry is empty; set mm1.image.registry, e.g. ghcr.io/mm1-platform");
    }
    registry = registry.strip().replaceAll("/+$", "");
    if (tag == null || !TAG.matcher(tag).matches()) {
      throw ImageBuildException.invalid("the image tag '" + tag + "' is not a valid tag: letters, digits, '_', '.' and '-',"
          + " at most 128, not starting with '.' or '-' (mm1.image.tag)");
    }
    try {
      ImageReference.parse(registry + "/" + MM1 + ":" + tag);
    } catch (InvalidImageReferenceException e) {
      throw ImageBuildException.invalid("the image registry '" + registry + "' does not make valid image names ("
          + registry + "/" + MM1 + ":" + tag + "); use lower-case HOST[:PORT]/PATH, e.g. ghcr.io/mm1-platform");
    }
  }

  /** {@code REGISTRY/NAME:TAG}. */
  public String reference(String name) {
    return registry + "/" + name + ":" + tag;
  }

  /** This naming scheme with another registry (where {@code -Dmm1.registry} pushes). */
  public ImageNames inRegistry(String other) {
    return new ImageNames(other, tag);
  }

  /** The names of the GPU flavour: the same with the tag {@code TAG-cuda}. */
  public ImageNames cuda() {
    return new ImageNames(registry, tag + CUDA_SUFFIX);
  }
}
