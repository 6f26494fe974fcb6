package dev.mm1.operator;

import dev.mm1.api.v1alpha1.CheckpointReference;
import dev.mm1.api.v1alpha1.CommittedCheckpoint;
import dev.mm1.api.v1alpha1.MM1Training;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.regex.Pattern;

/**
 * Turns a {@link CheckpointReference} into a concrete checkpoint: an explicit URI as it is, or one
 * of another MM1Training's committed checkpoints (from its status) in the same namespace.
 */
public final class CheckpointResolver {
  private static final Pattern STEP_DIR = Pattern.compile("step-(\\d{9})/?$");

  private CheckpointResolver() {}

  /** The outcome: a checkpoint, or why there is none yet. */
  public sealed interface Resolution {
    record Found(CommittedCheckpoint checkpoint, MM1Training training) implements Resolution {}

    record Waiting(String reason, String message) implements Resolution {}
  }

  public static Resolution resolve(CheckpointReference reference, String namespace, KubernetesClient client) {
    if (reference.uri != null) {
      var checkpoint = new CommittedCheckpoint();
      checkpoint.uri = reference.uri;
      var matcher = STEP_DIR.matcher(reference.uri);
      checkpoint.step = matcher.find() ? Long.parseLong(matcher.group(1)) : null;
      return new Resolution.Found(checkpoint, null);
    }
    var training = client.resources(MM1Training.class).inNamespace(namespace).withName(reference.fromTraining).get();
    if (training == null) {
      return new Resolution.Waiting(Reasons.TRAINING_NOT_FOUND, String.format(Reasons.MSG_TRAINING_NOT_FOUND, reference.fromTraining, namespace));
    }
    return fromStatus(training, reference.step == null ? "latest" : reference.step);
  }

  /** A checkpoint of {@code training}: its latest, or the one at {@code step} (at most the latest). */
  static Resolution fromStatus(MM1Training training, String step) {
    var latest = training.getStatus() == null ? null : training.getStatus().latestCheckpoint;
    var name = training.getMetadata().getName();
    if (latest == null || latest.uri == null || latest.step == null) {
      return new Resolution.Waiting(Reasons.WAITING_FOR_CHECKPOINT,
          String.format(Reasons.MSG_WAITING_FOR_CHECKPOINT, name, "latest".equals(step) ? "" : " at step " + step));
    }
    if ("latest".equals(step) || Long.parseLong(step) == latest.step) {
      return new Resolution.Found(latest, training);
    }
    long wanted = Long.parseLong(step);
    if (wanted > latest.step) {
      return new Resolution.Waiting(Reasons.WAITING_FOR_CHECKPOINT,
          String.format(Reasons.MSG_WAITING_FOR_CHECKPOINT, name, " at step " + step + " (latest is " + latest.step + ")"));
    }
    // An earlier step lives beside the latest; its MANIFEST.json is verified by whoever loads it.
    var earlier = new CommittedCheckpoint();
    earlier.step = wanted;
    earlier.uri = STEP_DIR.matcher(latest.uri).replaceFirst(String.format("step-%09d", wanted));
    return new Resolution.Found(earlier, training);
  }
}
