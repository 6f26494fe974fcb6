package dev.mm1.operator.eval;

import dev.mm1.api.PodEnv;
import dev.mm1.api.v1alpha1.CheckpointSpec;
import dev.mm1.api.v1alpha1.CommittedCheckpoint;
import dev.mm1.api.v1alpha1.MM1Eval;
import dev.mm1.api.v1alpha1.MM1Training;
import dev.mm1.api.config.Canonical;
import dev.mm1.api.config.EvalConfig;
import dev.mm1.operator.ChildNames;
import dev.mm1.operator.Labels;
import dev.mm1.operator.OperatorSettings;
import dev.mm1.operator.PodEnvVars;
import dev.mm1.operator.training.CheckpointVolume;
import dev.mm1.api.config.TrainerConfig;
import dev.mm1.operator.training.TrainingResources;
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
    // The checkpoint directory as the evaluator sees it, under the mounted checkpoint volume.
    var path = volume.directory() + "/" + checkpoint.uri.replaceAll("/+$", "").replaceAll(".*/", "");
    return EvalConfig.render(eval, checkpoint, source == null ? null : source.getSpec().model, path);
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
    if (source != null) {
      return CheckpointVolume.of(source.getMetadata().getName(), source.getSpec().checkpoints, true);
    }
    var parent = new CheckpointSpec();
    parent.uri = checkpoint.uri.replaceAll("/+$", "").replaceAll("/[^/]*$", "");
    if (parent.uri.endsWith(":") || parent.uri.endsWith(":/") || parent.uri.endsWith("://")) {
      parent.uri = parent.uri + "/";
    }
    return CheckpointVolume.of(eval.getMetadata().getName(), parent, true);
  }

  /** The evaluator Job: one pod, no retries (a failed evaluation is reported, not repeated). */
  public static Job job(MM1Eval eval, String runId, String configHash, CheckpointVolume checkpoints, OperatorSettings settings) {
    var name = eval.getMetadata().getName();
    var env = new PodEnv(Path.of(TrainerConfig.MOUNT_DIR, TrainerConfig.FILE), 0, 1, "127.0.0.1", settings.masterPort(),
        runId, settings.controlPlaneUrl(), Optional.empty(), Path.of(checkpoints.directory()), 1);
    var resources = eval.getSpec().resources;
    return new JobBuilder()
        .withMetadata(Labels.childMeta(eval, ChildNames.evaluatorJob(name), Labels.ROLE_EVALUATOR, true))
        .withNewSpec()
        .withCompletions(1)
        .withParallelism(1)
        .withBackoffLimit(0)
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(Labels.of(eval, Labels.ROLE_EVALUATOR))
        .withAnnotations(Map.of(Labels.CONFIG_HASH, configHash))
        .endMetadata()
        .withNewSpec()
        .withRestartPolicy("Never")
        .withNodeSelector(resources.nodeSelector)
        .withTolerations(resources.tolerations)
        .withPriorityClassName(resources.priorityClassName)
        .addNewContainer()
        .withName(CONTAINER)
        .withImage(eval.getSpec().image != null ? eval.getSpec().image : settings.evaluatorImage())
        .withEnv(PodEnvVars.of(env, false, settings))
        .withResources(TrainingResources.podResources(resources))
        .addToVolumeMounts(new VolumeMountBuilder().withName("config").withMountPath(TrainerConfig.MOUNT_DIR).withReadOnly(true).build())
        .addToVolumeMounts(checkpoints.mount())
        .endContainer()
        .addToVolumes(new VolumeBuilder().withName("config").withNewConfigMap().withName(ChildNames.config(name)).endConfigMap().build())
        .addToVolumes(checkpoints.volume())
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }
}
