package dev.mm1.operator;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Properties;

/**
 * The images the operator's pods run when a spec names none. The platform has one naming scheme,
 * {@code REGISTRY/mm1}, {@code REGISTRY/mm1-operator}, {@code REGISTRY/mm1-control-plane}, all
 * tagged {@code TAG}, set once in the root pom ({@code mm1.image.registry}, {@code mm1.image.tag})
 * and filled into this module's {@code default-images.properties} by the build; the images'
 * builder and {@code manifests/base/kustomization.yaml} use the same names. One image, {@code mm1},
 * serves trainer and evaluator pods: its commands are {@link #TRAIN} and {@link #EVAL}.
 */
public final class DefaultImages {
  /** The container arguments of trainer pods: {@code mm1 train}, which reads the pod environment. */
  public static final List<String> TRAIN = List.of("train");
  /** The container arguments of evaluator pods: {@code mm1 eval}. */
  public static final List<String> EVAL = List.of("eval");

  private static final Properties SCHEME = load();

  private DefaultImages() {}

  /** {@code REGISTRY/mm1:TAG}: the trainer and evaluator. */
  public static String mm1() {
    return reference("mm1");
  }

  /** {@code REGISTRY/NAME:TAG}. */
  public static String reference(String name) {
    return SCHEME.getProperty("registry") + "/" + name + ":" + SCHEME.getProperty("tag");
  }

  private static Properties load() {
    var properties = new Properties();
    try (InputStream in = DefaultImages.class.getResourceAsStream("default-images.properties")) {
      if (in == null) {
        throw new IllegalStateException("dev/mm1/operator/default-images.properties is missing from the operator's classes");
      }
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (var key : List.of("registry", "tag")) {
      var value = properties.getProperty(key, "");
      if (value.isBlank() || value.contains("${")) {
        throw new IllegalStateException("default-images.properties has no " + key + " (" + value
            + "): the build fills it from mm1.image." + (key.equals("registry") ? "registry" : "tag") + "; build with ./mvnw");
      }
    }
    return properties;
  }
}
