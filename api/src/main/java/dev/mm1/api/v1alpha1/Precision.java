package dev.mm1.api.v1alpha1;

/** Numeric precision of weights and activations during training. */
public enum Precision {
  /** 32-bit floats: exact, and the only fast choice on CPU. */
  FP32,
  /** bfloat16 mixed precision: GPU only (the CPU engine refuses it). */
  BF16,
  /** float16 mixed precision with loss scaling. */
  FP16
}
