package dev.mm1.trainer.loop;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A checksum of weights, bit for bit: data-parallel replicas must hold the same bits after every
 * update, so the ranks compare this instead of the weights themselves.
 */
final class WeightChecksum {
  private WeightChecksum() {}

  /** CRC-32C of every array's bytes in order, with the total size, as hex. */
  static String of(List<NDArray> arrays) {
    var crc = new CRC32C();
    long bytes = 0;
    for (var array : arrays) {
      var data = array.toByteBuffer();
      bytes += data.remaining();
      crc.update(data);
    }
    return String.format("%08x-%d", crc.getValue(), bytes);
  }
}
