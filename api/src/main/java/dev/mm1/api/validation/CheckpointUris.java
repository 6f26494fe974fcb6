package dev.mm1.api.validation;

import java.net.URI;
import java.util.Optional;

/** Reading the checkpoint URI forms the operator can mount: {@code file:///path} and {@code pvc://claim/path}. */
public final class CheckpointUris {
  private CheckpointUris() {}

  /** The claim of a {@code pvc://claim/path} URI. */
  public static Optional<String> claimOf(String uri) {
    try {
      var parsed = URI.create(uri);
      return "pvc".equals(parsed.getScheme()) ? Optional.ofNullable(parsed.getHost()).filter(h -> !h.isBlank()) : Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** The path part: the directory on the node for file:, the path inside the claim for pvc:. */
  public static String pathOf(String uri) {
    try {
      var path = URI.create(uri).getPath();
      return path == null || path.isEmpty() ? "/" : path;
    } catch (IllegalArgumentException e) {
      return uri.substring(uri.indexOf(':') + 1);
    }
  }
}
