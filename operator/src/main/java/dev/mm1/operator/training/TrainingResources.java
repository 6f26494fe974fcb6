package dev.mm1.operator.training;

import dev.mm1.api.config.TrainerConfig;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mm1.api.PodEnv;
import dev.mm1.api.v1alpha1.MM1Training;
import dev.mm1.operator.ChildNames;
import dev.mm1.operator.Labels;
import dev.mm1.operator.OperatorSettings;
import dev.mm1.operator.PodEnvVars;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import dev.mm1.api.v1alpha1.ResourcesSpec;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The desired children of an MM1Training, as pure functions of the spec: no client, no server.
 * Each carries the parent's labels and (except the checkpoint claim, which outlives the training)
 * a controller owner reference.
 */
public final class TrainingResources {
  public static final String CONTAINER = "trainer";
  public static final String GPU = "nvidia.com/gpu";

  private TrainingResources() {}

  /** The ConfigMap with the rendered configuration and the accepted spec. */
  public static ConfigMap configMap(MM1Training training, TrainerConfig config, JsonNode acceptedSpec) {
    var meta = Labels.childMeta(training, ChildNames.config(training.getMetadata().getName()), Labels.ROLE_CONFIG, true);
    meta.setAnnotations(Map.of(
        Labels.CONFIG_HASH, config.hash(),
        Labels.ACCEPTED_SPEC_HASH, dev.mm1.api.config.Canonical.sha256(dev.mm1.api.config.Canonical.text(acceptedSpec))));
    return new ConfigMapBuilder().withMetadata(meta).withData(config.data(acceptedSpec)).build();
  }

  /** The headless Service that gives every worker pod a stable DNS name, ready or not. */
  public static Service headlessService(MM1Training training, int masterPort) {
    var name = training.getMetadata().getName();
    return new ServiceBuilder()
        .withMetadata(Labels.childMeta(training, ChildNames.service(name), Labels.ROLE_SERVICE, true))
        .withNewSpec()
        .withClusterIP("None")
        // Workers rendezvous before any of them is ready: their names must resolve at once.
        .withPublishNotReadyAddresses(true)
        .withSelector(Labels.selector(training, Labels.ROLE_WORKER))
        .addNewPort().withName("rendezvous").withPort(masterPort).withNewTargetPort(masterPort).endPort()
        .endSpec()
        .build();
  }

  /** The checkpoint claim when spec.checkpoints.createClaim asks for one; not owned, so never deleted with the training. */
  public static Optional<PersistentVolumeClaim> checkpointClaim(MM1Training training) {
    var claim = training.getSpec().checkpoints.createClaim;
    if (claim == null) {
      return Optional.empty();
    }
    return Optional.of(new PersistentVolumeClaimBuilder()
        .withMetadata(Labels.childMeta(training, ChildNames.checkpointClaim(training.getMetadata().getName()), Labels.ROLE_CHECKPOINTS, false))
        .withNewSpec()
        .withAccessModes(claim.accessMode.name())
        .withStorageClassName(claim.storageClassName)
        .withNewResources().addToRequests("storage", claim.size).endResources()
        .endSpec()
        .build());
  }

  /**
   * The Indexed Job of gang attempt {@code attempt}: one pod per node, all started and failed
   * together (restartPolicy Never, backoffLimit 0), suspended for Kueue when a queue is named.
   */
  public static Job job(MM1Training training, int attempt, String runId, String configHash, OperatorSettings settings) {
    var name = training.getMetadata().getName();
    var namespace = training.getMetadata().getNamespace();
    var spec = training.getSpec();
    var resources = spec.resources;
    int nodes = resources.nodes;
    var checkpoints = CheckpointVolume.of(name, spec.checkpoints, false);
    var env = new PodEnv(
        Path.of(TrainerConfig.MOUNT_DIR, TrainerConfig.FILE),
        0,
        nodes,
        ChildNames.workerHost(name, attempt, 0, namespace),
        settings.masterPort(),
        runId,
        settings.controlPlaneUrl(),
        Optional.empty(),
        Path.of(checkpoints.directory()),
        attempt);

    var jobMeta = Labels.childMeta(training, ChildNames.job(name, attempt), Labels.ROLE_WORKER, true);
    jobMeta.getLabels().put(Labels.ATTEMPT, Integer.toString(attempt));
    if (resources.queueName != null) {
      jobMeta.getLabels().put(Labels.KUEUE_QUEUE, resources.queueName);
    }
    var podLabels = new LinkedHashMap<>(Labels.of(training, Labels.ROLE_WORKER));
    podLabels.put(Labels.ATTEMPT, Integer.toString(attempt));

    var container = new ContainerBuilder()
        .withName(CONTAINER)
        .withImage(spec.image != null ? spec.image : settings.trainerImage())
        .withEnv(PodEnvVars.of(env, true, settings))
        .addNewPort().withName("rendezvous").withContainerPort(settings.masterPort()).endPort()
        .withResources(podResources(resources))
        .addToVolumeMounts(new VolumeMountBuilder().withName("config").withMountPath(TrainerConfig.MOUNT_DIR).withReadOnly(true).build())
        .addToVolumeMounts(checkpoints.mount())
        .addToVolumeMounts(new VolumeMountBuilder().withName("dshm").withMountPath("/dev/shm").build())
        .build();

    return new JobBuilder()
        .withMetadata(jobMeta)
        .withNewSpec()
        .withCompletionMode("Indexed")
        .withCompletions(nodes)
        .withParallelism(nodes)
        // One failed worker fails the Job at once: the operator restarts the whole gang.
        .withBackoffLimit(0)
        .withSuspend(resources.queueName != null)
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(podLabels)
        .withAnnotations(Map.of(Labels.CONFIG_HASH, configHash))
        .endMetadata()
        .withNewSpec()
        .withRestartPolicy("Never")
        .withSubdomain(ChildNames.service(name))
        .withNodeSelector(resources.nodeSelector)
        .withTolerations(resources.tolerations)
        .withPriorityClassName(resources.priorityClassName)
        .withContainers(container)
        .addToVolumes(new VolumeBuilder().withName("config").withNewConfigMap().withName(ChildNames.config(name)).endConfigMap().build())
        .addToVolumes(checkpoints.volume())
        // Data loaders and collectives share tensors through /dev/shm; the container default is 64Mi.
        .addToVolumes(new VolumeBuilder().withName("dshm").withNewEmptyDir().withMedium("Memory").endEmptyDir().build())
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  /** cpu and memory as request = limit, and gpusPerNode x nvidia.com/gpu. */
  public static ResourceRequirements podResources(ResourcesSpec resources) {
    var amounts = new LinkedHashMap<String, Quantity>();
    if (resources.cpu != null) {
      amounts.put("cpu", resources.cpu);
    }
    if (resources.memory != null) {
      amounts.put("memory", resources.memory);
    }
    if (resources.gpusPerNode != null && resources.gpusPerNode > 0) {
      amounts.put(GPU, new Quantity(Integer.toString(resources.gpusPerNode)));
    }
    return new ResourceRequirementsBuilder().withRequests(amounts).withLimits(amounts).build();
  }
}
