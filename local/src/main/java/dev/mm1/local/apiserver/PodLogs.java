package dev.mm1.local.apiserver;

import java.nio.file.Path;
import java.util.Optional;

/** Where the node keeps a container's output, for {@code kubectl logs} ({@code GET .../pods/NAME/log}). */
public interface PodLogs {
  /** The log file of {@code container} (null: the pod's only or first container), if the pod ran here. */
  Optional<Path> file(String namespace, String pod, String container);

  /** Whether that container is still writing to it (for {@code --follow}). */
  boolean running(String namespace, String pod, String container);

  PodLogs NONE = new PodLogs() {
    @Override
    public Optional<Path> file(String namespace, String pod, String container) {
      return Optional.empty();
    }

    @Override
    public boolean running(String namespace, String pod, String container) {
      return false;
    }
  };
}
