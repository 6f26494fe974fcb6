package dev.mm1.operator.eval;

import dev.mm1.api.ChildNames;
import dev.mm1.api.PodEnv;
import dev.mm1.api.PodMounts;
import dev.mm1.api.v1alpha1.WorkerPodSpec;
import dev.mm1.operator.WorkerPods;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.ArrayList;
import java.util.List;
import dev.mm1.api.v1alpha1.CommittedCheckpoint;
import dev.mm1.api.v1alpha1.MM1Eval;
import dev.mm1.api.v1alpha1.MM1Training;
import dev.mm1.api.config.Canonical;
import dev.mm1.api.config.EvalConfig;
import dev.mm1.operator.Labels;
import dev.mm1.operator.DefaultImages;
import dev.mm1.operator.OperatorSettings;
import dev.mm1.operator.PodEnvVars;
import dev.mm1.operator.training.CheckpointVolume;
import dev.mm1.api.config.TrainerConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** The desired children of an MM1Eval, as pure functions: its configuration and its evaluator Job. */
public final class EvalResources {
  public static final String CONTAINER = "evaluator";

  private EvalResources() {}

  /** The evaluator configuration JSON (rendered by {@link EvalConfig}, shared with {@code ./mm1 eval -f}). */
  public static String config(MM1Eval eval, CommittedCheckpoint checkpoint, MM1Training source, CheckpointVolume volume) {
    return EvalConfig.render(eval, checkpoint, source == null ? null : source.getSpec().model, volume.stepDirectory(checkpoint));
  }

  public static ConfigMap configMap(MM1Eval eval, String config) {
    var meta = Labels.childMeta(eval, ChildNames.config(eval.getMetadata().getName()), Labels.ROLE_CONFIG, true);
    meta.setAnnotations(Map.of(Labels.CONFIG_HASH, Canonical.sha256(config)));
    return new ConfigMapBuilder().withMetadata(meta).withData(Map.of(TrainerConfig.FILE, config)).build();
  }

  /**
   * Where the checkpoint is inside the evaluator pod: the training's checkpoint volume mounted
   * read-only exactly as its workers mount it, or the parent directory of an explicit URI.
   */
  public static CheckpointVolume checkpointVolume(MM1Eval eval, CommittedCheckpoint checkpoint, MM1Training source) {
    return CheckpointVolume.ofCheckpoint(eval.getMetadata().getName(), checkpoint, source, PodMounts.CHECKPOINT_VOLUME, null);
  }

  /** The evaluator Job: one pod, no retries (a failed evaluation is reported, not repeated). */
  public static Job job(MM1Eval eval, String runId, String configHash, CheckpointVolume checkpoints, OperatorSettings settings) {
    var name = eval.getMetadata().getName();
    var spec = eval.getSpec();
    var pod = spec.pod == null ? new WorkerPodSpec() : spec.pod;
    var env = new PodEnv(Path.of(TrainerConfig.MOUNT_DIR, TrainerConfig.FILE), 0, 1, 1, 0, "127.0.0.1", settings.masterPort(),
        runId, settings.controlPlaneUrl(), Optional.empty(), Path.of(checkpoints.directory()), 1);
    var resources = spec.resources;
    var envVars = new ArrayList<>(PodEnvVars.of(env, false, settings));
    if (pod.env != null) {
      envVars.addAll(pod.env);
    }
    var container = new ContainerBuilder()
        .withName(CONTAINER)
        .withImage(spec.image != null ? spec.image : settings.evaluatorImage())
        .withArgs(DefaultImages.EVAL)
        .withEnv(envVars)
        .withEnvFrom(pod.envFrom == null ? List.of() : pod.envFrom)
        .withResources(WorkerPods.resources(resources))
        .withSecurityContext(WorkerPods.containerSecurity())
        .addToVolumeMounts(new VolumeMountBuilder().withName(PodMounts.CONFIG_VOLUME).withMountPath(TrainerConfig.MOUNT_DIR).withReadOnly(true).build())
        .addToVolumeMounts(checkpoints.mount())
        .addAllToVolumeMounts(pod.volumeMounts == null ? List.of() : pod.volumeMounts)
        .build();
    var volumes = new ArrayList<Volume>();
    volumes.add(new VolumeBuilder().withName(PodMounts.CONFIG_VOLUME).withNewConfigMap().withName(ChildNames.config(name)).endConfigMap().build());
    volumes.add(checkpoints.volume());
    if (pod.volumes != null) {
      volumes.addAll(pod.volumes);
    }
    return new JobBuilder()
        .withMetadata(Labels.childMeta(eval, ChildNames.evaluatorJob(name), Labels.ROLE_EVALUATOR, true))
        .withNewSpec()
        .withCompletions(1)
        .withParallelism(1)
        .withBackoffLimit(0)
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(WorkerPods.labels(Labels.of(eval, Labels.ROLE_EVALUATOR), pod))
        .withAnnotations(WorkerPods.annotations(Map.of(Labels.CONFIG_HASH, configHash), pod))
        .endMetadata()
        .withNewSpec()
        .withRestartPolicy("Never")
        .withServiceAccountName(pod.serviceAccountName)
        .withImagePullSecrets(WorkerPods.pullSecrets(pod))
        .withTerminationGracePeriodSeconds(pod.terminationGracePeriodSeconds)
        .withSecurityContext(WorkerPods.podSecurity(pod))
        .withNodeSelector(resources.nodeSelector)
        .withTolerations(resources.tolerations)
        .withPriorityClassName(resources.priorityClassName)
        .withContainers(container)
        .withVolumes(volumes)
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }
}
