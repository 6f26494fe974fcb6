package dev.mm1.api;

import dev.mm1.api.config.TrainerConfig;
import java.util.List;

/**
 * The volumes and mount paths the operator puts into every trainer and evaluator pod. User volumes
 * and mounts ({@code spec.pod}) and the checkpoint mount path may not take these names or paths;
 * validation refuses them up front instead of the API server refusing the Job.
 */
public final class PodMounts {
  private PodMounts() {}

  public static final String CONFIG_VOLUME = "config";
  public static final String CONFIG_DIR = TrainerConfig.MOUNT_DIR;
  public static final String CHECKPOINT_VOLUME = "checkpoints";
  public static final String SHM_VOLUME = "dshm";
  public static final String SHM_DIR = "/dev/shm";
  /** Where an SFT's init checkpoint (another training's) is mounted read-only. */
  public static final String INIT_CHECKPOINT_VOLUME = "init-checkpoint";
  public static final String INIT_CHECKPOINT_DIR = "/init-checkpoint";

  /** Volume names the operator uses. */
  public static final List<String> RESERVED_VOLUMES = List.of(CONFIG_VOLUME, CHECKPOINT_VOLUME, SHM_VOLUME, INIT_CHECKPOINT_VOLUME);

  /** Mount paths the operator uses besides the checkpoint mount path, which the spec chooses. */
  public static final List<String> RESERVED_DIRS = List.of(CONFIG_DIR, SHM_DIR, INIT_CHECKPOINT_DIR);
}
