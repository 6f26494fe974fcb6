package dev.mm1.local.node;

import io.fabric8.kubernetes.api.model.Container;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The images this node can run and what their entrypoints are here: the MM1 images' entrypoint
 * {@code mm1 <command>} becomes the repository's {@code ./mm1 <command>}. The image is recognised
 * by the last segment of its repository, whatever the registry and tag ({@code
 * ghcr.io/mm1-platform/trainer:latest} runs {@code ./mm1 train}). Other images cannot be pulled
 * here.
 */
final class Entrypoints {
  private Entrypoints() {}

  /** Repository name to the entrypoint's arguments after {@code mm1}. */
  static final java.util.Map<String, List<String>> IMAGES = java.util.Map.of(
      "trainer", List.of("train"),
      "evaluator", List.of("eval"),
      "mm1", List.of());

  /**
   * The command line of {@code container} with {@code mm1} as the MM1 images' program: the image's
   * entrypoint unless the container sets {@code command}, then its {@code args}. Empty when the
   * image is not one of ours.
   */
  static Optional<List<String>> commandLine(Container container, Path mm1) {
    var entrypoint = IMAGES.get(repository(container.getImage()));
    if (entrypoint == null) {
      return Optional.empty();
    }
    var line = new ArrayList<String>();
    var command = container.getCommand();
    if (command != null && !command.isEmpty()) {
      var program = command.getFirst();
      line.add(program.equals("mm1") || program.endsWith("/mm1") ? mm1.toString() : program);
      line.addAll(command.subList(1, command.size()));
    } else {
      line.add(mm1.toString());
      line.addAll(entrypoint);
    }
    if (container.getArgs() != null) {
      line.addAll(container.getArgs());
    }
    return Optional.of(line);
  }

  /** "trainer" for "ghcr.io/mm1-platform/trainer:v1" or "trainer@sha256:...". */
  static String repository(String image) {
    if (image == null) {
      return "";
    }
    var name = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
    var slash = name.lastIndexOf('/');
    var last = name.substring(slash + 1);
    var colon = last.indexOf(':');
    return colon < 0 ? last : last.substring(0, colon);
  }

  /** The images runnable here, for messages. */
  static String known() {
    return String.join(", ", IMAGES.keySet().stream().sorted().map(i -> ".../" + i).toList());
  }
}
