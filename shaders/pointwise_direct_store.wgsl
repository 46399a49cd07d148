// The output write of pointwise_direct.wgsl and pointwise_direct8.wgsl: bias,
// residual and y are arrays of vec4f, rows of y are GEMM rows (pixels).

override HAS_BIAS: bool = false;
// Adds residual[row, col] (same shape and banding as y) before the activation.
override HAS_RESIDUAL: bool = false;

fn store(row: u32, c4: u32, acc: vec4f) {
  if (row >= params.M) {
    return;
  }
  var v = acc;
  if (HAS_BIAS) {
    v += bias[c4];
  }
  let at = (params.rowStart + row) * (params.N / 4u) + c4 - params.yOrigin / 4u;
  if (HAS_RESIDUAL) {
    v += residual[at];
  }
  y[at] = activate4(v, params.alpha, params.beta);
}
