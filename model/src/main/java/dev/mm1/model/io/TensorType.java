package dev.mm1.model.io;

/**
 * Element types this project reads and writes in safetensors files. Every type is converted to
 * and from float32 in Java: DJL's PyTorch engine aborts the JVM on a bfloat16 tensor, so bf16
 * never reaches native code.
 */
public enum TensorType {
  F32(4),
  F16(2),
  BF16(2);

  private final int bytes;

  TensorType(int bytes) {
    this.bytes = bytes;
  }

  public int bytes() {
    return bytes;
  }

  /** The type named {@code dtype} in a safetensors header; others are an error naming the tensor. */
  static TensorType parse(String dtype, String tensor, Object file) {
    for (var type : values()) {
      if (type.name().equals(dtype)) {
        return type;
      }
    }
    throw new IllegalArgumentException("tensor '" + tensor + "' in " + file + " has dtype " + dtype
        + "; allowed: F32, F16, BF16");
  }

  /** float32 → bfloat16 bits, rounding to nearest even (NaN stays NaN). */
  static short toBfloat16(float value) {
    int bits = Float.floatToRawIntBits(value);
    if (Float.isNaN(value)) {
      return (short) ((bits >>> 16) | 0x40);
    }
    int rounding = 0x7FFF + ((bits >>> 16) & 1);
    return (short) ((bits + rounding) >>> 16);
  }

  /** bfloat16 bits → float32: the 16 bits are the top half of a float32. */
  static float fromBfloat16(short bits) {
    return Float.intBitsToFloat((bits & 0xFFFF) << 16);
  }
}
