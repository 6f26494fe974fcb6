package dev.mm1.trainer.loop;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mm1.model.HostArrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Replicas are compared by checksum: the same bits give the same checksum, one flipped bit another. */
class WeightChecksumTest {
  @Test
  void oneFlippedBitChangesTheChecksum() {
    try (var manager = NDManager.newBaseManager()) {
      var values = new float[1000];
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) Math.sin(i);
      }
      var same = WeightChecksum.of(List.of(HostArrays.of(manager, values, new Shape(10, 100)), HostArrays.of(manager, values)));
      assertThat(WeightChecksum.of(List.of(HostArrays.of(manager, values, new Shape(10, 100)),
          HostArrays.of(manager, values)))).isEqualTo(same);
      values[517] = Float.intBitsToFloat(Float.floatToRawIntBits(values[517]) ^ 1);
      assertThat(WeightChecksum.of(List.of(HostArrays.of(manager, values, new Shape(10, 100)),
          HostArrays.of(manager, values)))).isNotEqualTo(same);
    }
  }
}
