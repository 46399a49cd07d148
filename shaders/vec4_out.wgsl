// The output write of the kernels that compute 4 output channels (a vec4) at a
// time for one output pixel: the depthwise vec4 and strip kernels and the direct
// conv2d. Reads `bias` and writes `y` (arrays of vec4f); the kernel's params
// struct has outW, outC4 (output channels / 4), yOrigin, alpha and beta.

override HAS_BIAS: bool = false;

// Output pixel (row, ox), channels 4·c4 .. 4·c4 + 3: bias, activation, store.
// Columns past the output's width (the last invocation of a row) are skipped.
fn store(row: u32, ox: u32, c4: u32, acc: vec4f) {
  if (ox >= params.outW) {
    return;
  }
  var v = acc;
  if (HAS_BIAS) {
    v += bias[c4];
  }
  y[(row * params.outW + ox) * params.outC4 + c4 - params.yOrigin / 4u] = activate4(v, params.alpha, params.beta);
}
