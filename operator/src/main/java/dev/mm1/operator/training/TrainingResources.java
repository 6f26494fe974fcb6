package dev.mm1.operator.training;

import dev.mm1.api.config.TrainerConfig;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mm1.api.ChildNames;
import dev.mm1.api.PodEnv;
import dev.mm1.api.PodMounts;
import dev.mm1.api.v1alpha1.WorkerPodSpec;
import dev.mm1.api.validation.TrainingRules;
import dev.mm1.operator.WorkerPods;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.PodAffinityTermBuilder;
import io.fabric8.kubernetes.api.model.PodAntiAffinityBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicy;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyRule;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyRuleBuilder;
import java.util.ArrayList;
import java.util.List;
import dev.mm1.api.v1alpha1.MM1Training;
import dev.mm1.api.ChildNames;
import dev.mm1.operator.Labels;
import dev.mm1.operator.DefaultImages;
import dev.mm1.operator.OperatorSettings;
import dev.mm1.operator.PodEnvVars;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
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
  static final String HOSTNAME = "kubernetes.io/hostname";

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
   *
   * <p>Its podFailurePolicy makes the Job controller decide the same way the operator does, whatever
   * order their events arrive in: a non-retryable exit code fails the Job at once (FailJob, reason
   * PodFailurePolicy), and a pod disrupted by preemption, eviction or a drain (DisruptionTarget) does
   * not count as the Job's failure (Ignore), so it never uses up maxRestarts.
   *
   * @param init the SFT's init checkpoint mounted read-only, or null
   */
  public static Job job(MM1Training training, int attempt, String runId, String configHash, CheckpointVolume init,
      OperatorSettings settings) {
    var name = training.getMetadata().getName();
    var namespace = training.getMetadata().getNamespace();
    var spec = training.getSpec();
    var resources = spec.resources;
    var pod = spec.pod == null ? new WorkerPodSpec() : spec.pod;
    int nodes = resources.nodes;
    var checkpoints = CheckpointVolume.of(training);
    var env = new PodEnv(
        Path.of(TrainerConfig.MOUNT_DIR, TrainerConfig.FILE),
        0,
        nodes,
        TrainingRules.processesPerNode(training),
        0,
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
    var ownLabels = new LinkedHashMap<>(Labels.of(training, Labels.ROLE_WORKER));
    ownLabels.put(Labels.ATTEMPT, Integer.toString(attempt));
    var ownAnnotations = new LinkedHashMap<String, String>();
    ownAnnotations.put(Labels.CONFIG_HASH, configHash);
    if (resources.topology != null) {
      ownAnnotations.put(Boolean.TRUE.equals(resources.topology.required) ? Labels.KUEUE_REQUIRED_TOPOLOGY : Labels.KUEUE_PREFERRED_TOPOLOGY,
          resources.topology.level);
    }

    var envVars = new ArrayList<>(PodEnvVars.of(env, true, settings));
    if (pod.env != null) {
      envVars.addAll(pod.env);
    }
    var container = new ContainerBuilder()
        .withName(CONTAINER)
        .withImage(spec.image != null ? spec.image : settings.trainerImage())
        .withArgs(DefaultImages.TRAIN)
        .withEnv(envVars)
        .withEnvFrom(pod.envFrom == null ? List.of() : pod.envFrom)
        .addNewPort().withName("rendezvous").withContainerPort(settings.masterPort()).endPort()
        .withResources(WorkerPods.resources(resources))
        .withSecurityContext(WorkerPods.containerSecurity())
        .addToVolumeMounts(new VolumeMountBuilder().withName(PodMounts.CONFIG_VOLUME).withMountPath(TrainerConfig.MOUNT_DIR).withReadOnly(true).build())
        .addToVolumeMounts(checkpoints.mount())
        .addToVolumeMounts(new VolumeMountBuilder().withName(PodMounts.SHM_VOLUME).withMountPath(PodMounts.SHM_DIR).build());
    var volumes = new ArrayList<Volume>();
    volumes.add(new VolumeBuilder().withName(PodMounts.CONFIG_VOLUME).withNewConfigMap().withName(ChildNames.config(name)).endConfigMap().build());
    volumes.add(checkpoints.volume());
    // Data loaders and collectives share tensors through /dev/shm; the container default is 64Mi.
    volumes.add(new VolumeBuilder().withName(PodMounts.SHM_VOLUME)
        .withNewEmptyDir().withMedium("Memory").withSizeLimit(WorkerPods.sharedMemory(resources)).endEmptyDir().build());
    if (init != null) {
      container.addToVolumeMounts(init.mount());
      volumes.add(init.volume());
    }
    if (pod.volumeMounts != null) {
      container.addAllToVolumeMounts(pod.volumeMounts);
    }
    if (pod.volumes != null) {
      volumes.addAll(pod.volumes);
    }

    return new JobBuilder()
        .withMetadata(jobMeta)
        .withNewSpec()
        .withCompletionMode("Indexed")
        .withCompletions(nodes)
        .withParallelism(nodes)
        // One failed worker fails the Job at once: the operator restarts the whole gang.
        .withBackoffLimit(0)
        .withPodFailurePolicy(podFailurePolicy(spec.failurePolicy.nonRetryableExitCodes))
        .withSuspend(resources.queueName != null)
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(WorkerPods.labels(ownLabels, pod))
        .withAnnotations(WorkerPods.annotations(ownAnnotations, pod))
        .endMetadata()
        .withNewSpec()
        .withRestartPolicy("Never")
        .withSubdomain(ChildNames.service(name))
        .withServiceAccountName(pod.serviceAccountName)
        .withImagePullSecrets(WorkerPods.pullSecrets(pod))
        .withTerminationGracePeriodSeconds(pod.terminationGracePeriodSeconds)
        .withSecurityContext(WorkerPods.podSecurity(pod))
        .withAffinity(onePodPerNode(training))
        .withNodeSelector(resources.nodeSelector)
        .withTolerations(resources.tolerations)
        .withPriorityClassName(resources.priorityClassName)
        .withContainers(container.build())
        .withVolumes(volumes)
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  /**
   * FailJob for the non-retryable exit codes of the trainer container (sorted, 0 never among them),
   * then Ignore for disrupted pods; rules apply in order, as the Job controller reads them.
   */
  static PodFailurePolicy podFailurePolicy(List<Integer> nonRetryable) {
    var rules = new ArrayList<PodFailurePolicyRule>();
    var codes = nonRetryable == null ? List.<Integer>of() : nonRetryable.stream().filter(c -> c != null && c > 0).distinct().sorted().toList();
    if (!codes.isEmpty()) {
      rules.add(new PodFailurePolicyRuleBuilder().withAction(FailurePolicy.FAIL_JOB)
          .withNewOnExitCodes().withContainerName(CONTAINER).withOperator("In").withValues(codes).endOnExitCodes().build());
    }
    rules.add(new PodFailurePolicyRuleBuilder().withAction("Ignore")
        .addNewOnPodCondition().withType(FailurePolicy.DISRUPTION_TARGET).withStatus("True").endOnPodCondition().build());
    return new PodFailurePolicyBuilder().withRules(rules).build();
  }

  /**
   * One worker per node: the gang's pods repel each other by host name. Required on GPU nodes (two
   * workers would fight over the node's GPUs and network); preferred on CPU, where a small cluster
   * may have fewer nodes than workers and sharing a node is only slower.
   */
  static Affinity onePodPerNode(MM1Training training) {
    var term = new PodAffinityTermBuilder()
        .withNewLabelSelector().withMatchLabels(Labels.selector(training, Labels.ROLE_WORKER)).endLabelSelector()
        .withTopologyKey(HOSTNAME)
        .build();
    var gpus = training.getSpec().resources.gpusPerNode;
    var antiAffinity = gpus != null && gpus > 0
        ? new PodAntiAffinityBuilder().withRequiredDuringSchedulingIgnoredDuringExecution(term).build()
        : new PodAntiAffinityBuilder().addNewPreferredDuringSchedulingIgnoredDuringExecution()
            .withWeight(100).withPodAffinityTerm(term).endPreferredDuringSchedulingIgnoredDuringExecution().build();
    return new AffinityBuilder().withPodAntiAffinity(antiAffinity).build();
  }

}
