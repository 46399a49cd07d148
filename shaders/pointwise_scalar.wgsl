// Pointwise (1×1) convolution for any K and N, without workgroup memory: each
// invocation computes one output channel of 4 GEMM rows (pixels) of
// y[M, N] = x[M, K] · w[K, N], walking K one value at a time. Neighbouring
// invocations take neighbouring channels of the same rows, so their x loads are the
// same addresses and their w loads are contiguous. The variant for shapes the vec4
// kernels cannot take (K or N not divisible by 4: detection heads with 2 or 6
// outputs, layers of 42 channels) on software adapters, in place of the tiled GEMM,
// whose tile loops the compiler unrolls (1 s or more to compile on SwiftShader,
// against well under 0.1 s for this one).
//
// A dispatch covers rows [rowStart, rowStart + M); x and y are bound from elements
// xOrigin / yOrigin on when split into bands.
// Contract, bindings and uniforms: src/kernels/pointwise/scalar.ts.

override HAS_BIAS: bool = false;
// Adds residual[row, col] (same shape and banding as y) before the activation.
override HAS_RESIDUAL: bool = false;

fn store(row: u32, col: u32, acc: f32) {
  if (row >= params.M) {
    return;
  }
  var v = acc;
  if (HAS_BIAS) {
    v += bias[col];
  }
  let at = (params.rowStart + row) * params.N + col - params.yOrigin;
  if (HAS_RESIDUAL) {
    v += residual[at];
  }
  y[at] = activate(v, params.alpha, params.beta);
}

fn run(id: u32) {
  let n = params.N;
  let k = params.K;
  let r0 = (id / n) * 4u;
  if (r0 >= params.M) {
    return;
  }
  let col = id % n;
  // Rows past M re-read the last row (in bounds) and are not stored.
  let last = params.M - 1u;
  let rs = params.rowStart;
  let xo = params.xOrigin;
  let a0 = (rs + r0) * k - xo;
  let a1 = (rs + min(r0 + 1u, last)) * k - xo;
  let a2 = (rs + min(r0 + 2u, last)) * k - xo;
  let a3 = (rs + min(r0 + 3u, last)) * k - xo;
  var acc = vec4f(0.0);
  for (var i = 0u; i < k; i++) {
    acc += vec4f(x[a0 + i], x[a1 + i], x[a2 + i], x[a3 + i]) * w[i * n + col];
  }
  for (var j = 0u; j < 4u; j++) {
    store(r0 + j, col, acc[j]);
  }
}
