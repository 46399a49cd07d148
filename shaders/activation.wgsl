// Fused activations. ACTIVATION is one of the ACT_* ids, constants generated from
// ACTIVATIONS in src/activation.ts and prepended to this file (src/kernels/fragments.ts);
// `alpha` (leakyRelu slope, elu scale, clip's lower bound, hardSigmoid's slope) and
// `beta` (clip's upper bound, hardSigmoid's offset) are uniforms of the calling
// kernel (ACTIVATION_FIELDS in src/kernels/fragments.ts).
// Written with comparisons so NaN passes through unchanged, as in the CPU
// reference (max(0, NaN) and clamp(NaN, ...) are implementation-defined in WGSL).
override ACTIVATION: u32 = 0u;

// NaN test on the bits: shader compilers may fold `v != v` to false.
fn isNan(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

fn relu6(v: f32) -> f32 {
  return select(select(v, 6.0, v > 6.0), 0.0, v < 0.0);
}

fn activate(v: f32, alpha: f32, beta: f32) -> f32 {
  switch ACTIVATION {
    case ACT_RELU: {
      return select(v, 0.0, v < 0.0);
    }
    case ACT_RELU6: {
      return relu6(v);
    }
    case ACT_LEAKY_RELU: {
      return select(v, alpha * v, v < 0.0);
    }
    case ACT_SIGMOID: { // exp overflows to +inf for v < -88, giving 0 as it should.
      // Some exp implementations return +inf or 0 for NaN: keep NaN explicitly.
      return select(1.0 / (1.0 + exp(-v)), v, isNan(v));
    }
    case ACT_TANH: { // some drivers compute it from exp(2v) and return NaN for large |v|:
      // tanh(±9) is ±1 in f32 already, so clamp first (NaN kept by the select).
      return select(tanh(select(select(v, 9.0, v > 9.0), -9.0, v < -9.0)), v, isNan(v));
    }
    case ACT_HARD_SWISH: {
      return v * relu6(v + 3.0) / 6.0;
    }
    case ACT_ELU: { // (NaN < 0 is false, so NaN takes the v branch)
      return select(v, alpha * (exp(v) - 1.0), v < 0.0);
    }
    case ACT_CLIP: { // alpha ≤ beta (checked by the Engine)
      return select(select(v, beta, v > beta), alpha, v < alpha);
    }
    case ACT_HARD_SIGMOID: {
      let t = alpha * v + beta;
      return select(select(t, 1.0, t > 1.0), 0.0, t < 0.0);
    }
    default: { // ACT_LINEAR
      return v;
    }
  }
}

fn activate4(v: vec4f, alpha: f32, beta: f32) -> vec4f {
  return vec4f(activate(v.x, alpha, beta), activate(v.y, alpha, beta), activate(v.z, alpha, beta), activate(v.w, alpha, beta));
}
