package dev.mm1.trainer.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** GradScaler's rule, worked by hand: halve on overflow, double after 2000 finite steps in a row. */
class LossScalerTest {
  @Test
  void overflowHalvesAndTwoThousandFiniteStepsDouble() {
    var scaler = new LossScaler(LossScaler.INITIAL_SCALE, 0);
    scaler.update(false);
    assertThat(scaler.scale()).isEqualTo(32768);
    for (int i = 0; i < 1999; i++) {
      scaler.update(true);
    }
    assertThat(scaler.scale()).isEqualTo(32768);
    assertThat(scaler.growthSteps()).isEqualTo(1999);
    scaler.update(false); // an overflow resets the count
    assertThat(scaler.scale()).isEqualTo(16384);
    assertThat(scaler.growthSteps()).isZero();
    for (int i = 0; i < 2000; i++) {
      scaler.update(true);
    }
    assertThat(scaler.scale()).isEqualTo(32768);
    assertThat(scaler.growthSteps()).isZero();
  }

  @Test
  void aSavedStateContinues() {
    var scaler = new LossScaler(1024, 1999);
    scaler.update(true);
    assertThat(scaler.scale()).isEqualTo(2048);
  }

  @Test
  void aBadStateIsRefusedNamingIt() {
    assertThatThrownBy(() -> new LossScaler(0, 0)).hasMessageContaining("loss scale 0.0");
    assertThatThrownBy(() -> new LossScaler(Double.POSITIVE_INFINITY, 0)).hasMessageContaining("finite scale > 0");
    assertThatThrownBy(() -> new LossScaler(2, -1)).hasMessageContaining("growth steps >= 0");
  }
}
