package dev.mm1.local.node;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.Map;

/**
 * Storage on the local node, as a local-path provisioner gives it: a claim that names no volume
 * gets a new volume, a directory under the node's volume directory, and is bound to it; a volume's
 * directory is its hostPath (or local path) on the node.
 */
final class Volumes {
  static final String PROVISIONER = "mm1.dev/local-path";
  /** Where on the node the provisioner makes a directory per claim. */
  static final String DIRECTORY = "/opt/local-path-provisioner";

  private Volumes() {}

  /** Where a PersistentVolume's files are on this machine. */
  static Path localPath(PersistentVolume volume, NodeConfig node) {
    var spec = volume.getSpec();
    if (spec.getHostPath() != null) {
      return node.local(spec.getHostPath().getPath());
    }
    if (spec.getLocal() != null) {
      return node.local(spec.getLocal().getPath());
    }
    return node.local(DIRECTORY + "/" + volume.getMetadata().getName());
  }

  /** Binds pending claims: to the volume they name, else to a new volume of their own. */
  static void bind(KubernetesClient client, NodeConfig node, Iterable<PersistentVolumeClaim> claims) {
    for (var claim : claims) {
      var status = claim.getStatus() == null ? null : claim.getStatus().getPhase();
      if ("Bound".equals(status) || claim.getMetadata().getDeletionTimestamp() != null) {
        continue;
      }
      var namespace = claim.getMetadata().getNamespace();
      var name = claim.getMetadata().getName();
      var volumeName = claim.getSpec().getVolumeName();
      var storage = claim.getSpec().getResources() == null || claim.getSpec().getResources().getRequests() == null
          ? new Quantity("1Gi") : claim.getSpec().getResources().getRequests().getOrDefault("storage", new Quantity("1Gi"));
      if (volumeName == null) {
        volumeName = "pvc-" + claim.getMetadata().getUid();
        var hostPath = DIRECTORY + "/" + namespace + "_" + name;
        var volume = new PersistentVolumeBuilder()
            .withNewMetadata().withName(volumeName).addToAnnotations("pv.kubernetes.io/provisioned-by", PROVISIONER).endMetadata()
            .withNewSpec().withCapacity(Map.of("storage", storage)).withAccessModes(claim.getSpec().getAccessModes())
            .withPersistentVolumeReclaimPolicy("Retain")
            .withNewHostPath().withPath(hostPath).withType("DirectoryOrCreate").endHostPath()
            .withNewClaimRef().withNamespace(namespace).withName(name).withUid(claim.getMetadata().getUid()).endClaimRef()
            .endSpec().build();
        client.persistentVolumes().resource(volume).createOr(existing -> existing.update());
        var bound = volumeName;
        client.persistentVolumeClaims().inNamespace(namespace).withName(name)
            .edit(c -> {
              c.getSpec().setVolumeName(bound);
              return c;
            });
      } else if (client.persistentVolumes().withName(volumeName).get() == null) {
        continue; // the named volume does not exist (yet): the claim stays Pending
      }
      var bound = volumeName;
      client.persistentVolumeClaims().inNamespace(namespace).withName(name).editStatus(c -> {
        var claimStatus = new io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatusBuilder().withPhase("Bound")
            .withAccessModes(c.getSpec().getAccessModes()).withCapacity(Map.of("storage", storage)).build();
        c.setStatus(claimStatus);
        return c;
      });
      client.persistentVolumes().withName(bound).editStatus(v -> {
        v.setStatus(new io.fabric8.kubernetes.api.model.PersistentVolumeStatusBuilder().withPhase("Bound").build());
        return v;
      });
    }
  }
}
