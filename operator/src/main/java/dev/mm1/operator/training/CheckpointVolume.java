package dev.mm1.operator.training;

import dev.mm1.api.v1alpha1.CheckpointSpec;
import dev.mm1.operator.ChildNames;
import dev.mm1.operator.validation.CheckpointUris;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;

/**
 * Where a training's checkpoints live inside its pods: the volume, its mount, and the directory
 * given to the trainer as MM1_CHECKPOINT_DIR.
 *
 * @param volume the pod volume
 * @param mount its mount in the container
 * @param directory the checkpoint directory inside the container
 */
public record CheckpointVolume(Volume volume, VolumeMount mount, String directory) {
  public static final String VOLUME_NAME = "checkpoints";

  /** The volume of {@code spec} for training {@code name}; a shared claim gets one directory per training. */
  public static CheckpointVolume of(String name, CheckpointSpec spec, boolean readOnly) {
    var mountPath = spec.mountPath == null ? "/checkpoints" : spec.mountPath.replaceAll("/+$", "");
    var volume = new VolumeBuilder().withName(VOLUME_NAME);
    String directory;
    if (spec.createClaim != null) {
      volume.withNewPersistentVolumeClaim(ChildNames.checkpointClaim(name), readOnly);
      directory = mountPath;
    } else if (spec.claimName != null) {
      volume.withNewPersistentVolumeClaim(spec.claimName, readOnly);
      directory = mountPath + "/" + name;
    } else if (spec.uri != null && spec.uri.startsWith("pvc:")) {
      volume.withNewPersistentVolumeClaim(CheckpointUris.claimOf(spec.uri).orElseThrow(), readOnly);
      directory = (mountPath + CheckpointUris.pathOf(spec.uri)).replaceAll("/+$", "");
    } else {
      // file: a directory on a mount every node shares (NFS, Lustre), the same path on each node.
      volume.withNewHostPath(CheckpointUris.pathOf(spec.uri), readOnly ? "Directory" : "DirectoryOrCreate");
      directory = mountPath;
    }
    var mount = new VolumeMountBuilder().withName(VOLUME_NAME).withMountPath(mountPath).withReadOnly(readOnly).build();
    return new CheckpointVolume(volume.build(), mount, directory);
  }
}
