package dev.mm1.api.v1alpha1;

/** Numeric precision of weights and activations during training. */
public enum Precision {
  /** 32-bit floats: exact, and the only fast choice on CPU. */
  FP32,
  /** bfloat16: refused with a clear error, since DJL's PyTorch engine aborts the JVM on bfloat16 tensors. */
  BF16,
  /** float16 passes on float32 master weights with dynamic loss scaling: GPU only. */
  FP16
}
