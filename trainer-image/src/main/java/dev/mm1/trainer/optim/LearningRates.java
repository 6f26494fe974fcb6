package dev.mm1.trainer.optim;

import dev.mm1.api.v1alpha1.LearningRateSchedule;

/**
 * The learning rate of every step: linear warm-up from 0 to the peak over {@code warmupSteps},
 * then cosine, linear or constant decay to {@code minRatio} × peak at the last step (MM1: 2 000
 * warm-up steps, cosine to 10 %).
 */
public record LearningRates(double peak, long warmupSteps, long totalSteps, LearningRateSchedule schedule,
    double minRatio) {

  /** The rate of step {@code step} (1 = the first update). */
  public double at(long step) {
    if (warmupSteps > 0 && step <= warmupSteps) {
      return peak * step / warmupSteps;
    }
    double floor = peak * minRatio;
    double progress = Math.min(1, (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps));
    return switch (schedule) {
      case Cosine -> floor + (peak - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
      case Linear -> peak - (peak - floor) * progress;
      case Constant -> peak;
    };
  }
}
