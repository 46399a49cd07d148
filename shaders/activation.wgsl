// Fused activations. ACTIVATION ids follow ACTIVATIONS in src/activation.ts.
// Written with comparisons so NaN passes through unchanged, as in the CPU
// reference (max(0, NaN) is implementation-defined in WGSL).
override ACTIVATION: u32 = 0u;

fn activate(v: f32) -> f32 {
  switch ACTIVATION {
    case 1u: { // relu
      return select(v, 0.0, v < 0.0);
    }
    case 2u: { // relu6
      return select(select(v, 6.0, v > 6.0), 0.0, v < 0.0);
    }
    default: { // linear
      return v;
    }
  }
}
