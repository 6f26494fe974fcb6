package dev.mm1.operator.training;

import dev.mm1.api.ChildNames;
import dev.mm1.api.PodMounts;
import dev.mm1.api.v1alpha1.CheckpointSpec;
import dev.mm1.api.v1alpha1.CommittedCheckpoint;
import dev.mm1.api.v1alpha1.MM1Training;
import dev.mm1.api.validation.CheckpointUris;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;

/**
 * Where a training's checkpoints live inside its pods: the volume, its mount, and the directory
 * given to the trainer as MM1_CHECKPOINT_DIR.
 *
 * <p>The directory is keyed by the training's UID, not its name: a training deleted and created
 * again under the same name (same claim, same path) starts fresh instead of resuming someone
 * else's run from the old checkpoints.
 *
 * @param volume the pod volume
 * @param mount its mount in the container
 * @param directory the checkpoint directory inside the container
 */
public record CheckpointVolume(Volume volume, VolumeMount mount, String directory) {
  /** The checkpoint volume of {@code training}, read-write, at its spec's mount path. */
  public static CheckpointVolume of(MM1Training training) {
    return of(training, PodMounts.CHECKPOINT_VOLUME, null, false);
  }

  /**
   * {@code training}'s checkpoints as another pod sees them: read-only, under {@code volumeName}
   * at {@code mountPath} (null: the training's own mount path).
   */
  public static CheckpointVolume of(MM1Training training, String volumeName, String mountPath, boolean readOnly) {
    var spec = training.getSpec().checkpoints;
    var base = base(training.getMetadata().getName(), spec, volumeName, mountPath, readOnly);
    return new CheckpointVolume(base.volume(), base.mount(), base.directory() + "/" + training.getMetadata().getUid());
  }

  /** A storage location ({@code spec}) mounted as it is, no per-training directory: for explicit checkpoint URIs. */
  public static CheckpointVolume ofLocation(String owner, CheckpointSpec spec, String volumeName, String mountPath, boolean readOnly) {
    return base(owner, spec, volumeName, mountPath, readOnly);
  }

  /**
   * A committed checkpoint mounted read-only for another pod (an eval, an SFT's init): the source
   * training's checkpoint volume (its UID directory), or the parent directory of an explicit URI.
   * {@link #directory()} holds the checkpoint's step directory, {@link #stepDirectory}.
   */
  public static CheckpointVolume ofCheckpoint(
      String owner, CommittedCheckpoint checkpoint, MM1Training source, String volumeName, String mountPath) {
    if (source != null) {
      return of(source, volumeName, mountPath, true);
    }
    var parent = new CheckpointSpec();
    parent.uri = checkpoint.uri.replaceAll("/+$", "").replaceAll("/[^/]*$", "");
    if (parent.uri.endsWith(":") || parent.uri.endsWith(":/") || parent.uri.endsWith("://")) {
      parent.uri = parent.uri + "/";
    }
    return ofLocation(owner, parent, volumeName, mountPath, true);
  }

  /** The checkpoint's own directory (.../step-NNNNNNNNN) inside this volume, as the pod sees it. */
  public String stepDirectory(CommittedCheckpoint checkpoint) {
    return directory + "/" + checkpoint.uri.replaceAll("/+$", "").replaceAll(".*/", "");
  }

  private static CheckpointVolume base(String owner, CheckpointSpec spec, String volumeName, String mountPath, boolean readOnly) {
    var path = (mountPath != null ? mountPath : spec.mountPath == null ? "/checkpoints" : spec.mountPath).replaceAll("/+$", "");
    var volume = new VolumeBuilder().withName(volumeName);
    String directory;
    if (spec.createClaim != null) {
      volume.withNewPersistentVolumeClaim(ChildNames.checkpointClaim(owner), readOnly);
      directory = path;
    } else if (spec.claimName != null) {
      volume.withNewPersistentVolumeClaim(spec.claimName, readOnly);
      directory = path;
    } else if (spec.uri != null && spec.uri.startsWith("pvc:")) {
      volume.withNewPersistentVolumeClaim(CheckpointUris.claimOf(spec.uri).orElseThrow(), readOnly);
      directory = (path + CheckpointUris.pathOf(spec.uri)).replaceAll("/+$", "");
    } else {
      // file: a directory on a mount every node shares (NFS, Lustre), the same path on each node.
      volume.withNewHostPath(CheckpointUris.pathOf(spec.uri), readOnly ? "Directory" : "DirectoryOrCreate");
      directory = path;
    }
    var mount = new VolumeMountBuilder().withName(volumeName).withMountPath(path).withReadOnly(readOnly).build();
    return new CheckpointVolume(volume.build(), mount, directory);
  }
}
