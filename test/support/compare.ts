// Comparing a GPU result with the CPU reference.
//
// Tolerance: the GPU sums n products in f32, the reference in f64. The standard
// bound for a float sum of products (Higham, Accuracy and Stability, §3.1) is
// |computed − exact| ≤ γ_n · Σ|x_i·w_i| with γ_n ≈ n·2^-24. Our largest n is
// 7·7 taps (depthwise) or a few hundred input channels (pointwise), so
// n·2^-24 < 3e-5; we allow 1e-5·Σ|x·w| per element plus 1e-6 absolute for
// sums that cancel to ~0. Σ|x·w| is computed exactly by running the same op on
// the CPU backend with |x|, |w| and |bias| and a linear activation. Activations
// are 1-Lipschitz, so the bound holds after them too.

export interface Mismatch {
  index: number;
  got: number;
  want: number;
  tol: number;
}

/** First element where |got − want| > 1e-6 + 1e-5·magnitude, or null. NaNs must match NaNs. */
export function firstMismatch(got: Float32Array, want: Float32Array, magnitude: Float32Array): Mismatch | null {
  if (got.length !== want.length) return { index: -1, got: got.length, want: want.length, tol: 0 };
  for (let i = 0; i < want.length; i++) {
    const g = got[i] as number;
    const w = want[i] as number;
    const tol = 1e-6 + 1e-5 * (magnitude[i] as number);
    if (Number.isNaN(w) ? !Number.isNaN(g) : !(Math.abs(g - w) <= tol)) return { index: i, got: g, want: w, tol };
  }
  return null;
}

export function abs(a: Float32Array): Float32Array {
  return a.map(Math.abs);
}
