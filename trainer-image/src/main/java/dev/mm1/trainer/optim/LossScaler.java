package dev.mm1.trainer.optim;

/**
 * Dynamic loss scaling for float16 training, with {@code torch.amp.GradScaler}'s defaults and rule:
 * the loss is multiplied by the scale before the backward pass so that small float16 gradients do
 * not flush to zero, and the gradients are divided by it before the update. A step whose gradients
 * overflowed (inf or NaN) is skipped and halves the scale; after {@value #GROWTH_INTERVAL} finite
 * steps in a row the scale doubles. Both numbers are trainer state, checkpointed for exact resume.
 */
public final class LossScaler {
  /** The first scale, 2^16. */
  public static final double INITIAL_SCALE = 65536;

  static final double GROWTH_FACTOR = 2;
  static final double BACKOFF_FACTOR = 0.5;
  static final int GROWTH_INTERVAL = 2000;

  private double scale;
  private int growthSteps;

  /**
   * @param scale the current scale
   * @param growthSteps finite steps since the scale last changed
   */
  public LossScaler(double scale, int growthSteps) {
    if (!(scale > 0) || Double.isInfinite(scale) || growthSteps < 0) {
      throw new IllegalArgumentException("loss scale " + scale + " with " + growthSteps
          + " growth steps; allowed: a finite scale > 0 and growth steps >= 0");
    }
    this.scale = scale;
    this.growthSteps = growthSteps;
  }

  public double scale() {
    return scale;
  }

  public int growthSteps() {
    return growthSteps;
  }

  /** After a step: {@code finite} is whether its gradients were all finite (the update ran). */
  public void update(boolean finite) {
    if (!finite) {
      scale *= BACKOFF_FACTOR;
      growthSteps = 0;
    } else if (++growthSteps == GROWTH_INTERVAL) {
      scale *= GROWTH_FACTOR;
      growthSteps = 0;
    }
  }
}
