// Filter, bias and output bindings and the output write shared by the kernels
// that compute 4 output channels (a vec4) at a time for one output pixel:
// depthwise_vec4.wgsl, depthwise_3x3.wgsl, conv2d_direct.wgsl. The including
// kernel's params struct has outW, outC4 (output channels / 4), yOrigin and alpha.

override HAS_BIAS: bool = false;

@group(0) @binding(2) var<storage, read> w: array<vec4f>;
@group(0) @binding(3) var<storage, read> bias: array<vec4f>;
@group(0) @binding(4) var<storage, read_write> y: array<vec4f>;

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
  y[(row * params.outW + ox) * params.outC4 + c4 - params.yOrigin / 4u] = activate4(v, params.alpha);
}
