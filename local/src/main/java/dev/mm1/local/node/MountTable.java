package dev.mm1.local.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A container's mounts as local directories: each container path (/data, /checkpoints,
 * /etc/mm1) and the directory on this machine that stands for it. A process here has no mount
 * namespace of its own, so the paths it is given are translated instead: environment values and
 * the JSON files of its config volumes, wherever a value is a path (or a {@code file:} URI) under a
 * mount.
 */
final class MountTable {
  /** One mount: where the container sees it and where it is here. */
  record Mount(String containerPath, Path local, boolean readOnly) {}

  private final List<Mount> mounts;

  MountTable(List<Mount> mounts) {
    var sorted = new ArrayList<>(mounts);
    // The deepest mount wins, as in a mount namespace (/checkpoints/x over /checkpoints).
    sorted.sort(Comparator.comparingInt((Mount m) -> m.containerPath().length()).reversed());
    this.mounts = List.copyOf(sorted);
  }

  List<Mount> mounts() {
    return mounts;
  }

  /** Where a container path is on this machine, if a mount covers it. */
  Optional<Path> local(String containerPath) {
    var path = containerPath.replaceAll("/+$", "");
    for (var mount : mounts) {
      var base = mount.containerPath().replaceAll("/+$", "");
      if (path.equals(base)) {
        return Optional.of(mount.local());
      }
      if (path.startsWith(base + "/")) {
        return Optional.of(mount.local().resolve(path.substring(base.length() + 1)));
      }
    }
    return Optional.empty();
  }

  /** {@code value} with a container path or {@code file:} URI under a mount made local; anything else as it is. */
  String rewrite(String value) {
    if (value.startsWith("file://") && value.length() > 7 && value.charAt(7) == '/') {
      var path = value.substring(7);
      return local(path).map(p -> "file://" + p + (path.endsWith("/") ? "/" : "")).orElse(value);
    }
    if (value.startsWith("file:/") && !value.startsWith("file://")) {
      var path = value.substring(5);
      return local(path).map(p -> "file:" + p).orElse(value);
    }
    if (value.startsWith("/")) {
      return local(value).map(p -> p + (value.endsWith("/") && value.length() > 1 ? "/" : "")).map(String::valueOf).orElse(value);
    }
    return value;
  }

  /** A copy of {@code json} with every string value rewritten. */
  JsonNode rewrite(JsonNode json) {
    if (json instanceof ObjectNode object) {
      var copy = object.objectNode();
      object.properties().forEach(e -> copy.set(e.getKey(), rewrite(e.getValue())));
      return copy;
    }
    if (json instanceof ArrayNode array) {
      var copy = array.arrayNode();
      array.forEach(item -> copy.add(rewrite(item)));
      return copy;
    }
    if (json.isTextual()) {
      return TextNode.valueOf(rewrite(json.asText()));
    }
    return json;
  }
}
