// Bindings and the output write shared by pointwise_direct.wgsl and
// pointwise_direct8.wgsl (x, w, bias, residual and y as arrays of vec4).

override HAS_BIAS: bool = false;
// Adds residual[row, col] (same shape and banding as y) before the activation.
override HAS_RESIDUAL: bool = false;

@group(0) @binding(0) var<uniform> params: PointwiseParams;
@group(0) @binding(1) var<storage, read> x: array<vec4f>;
@group(0) @binding(2) var<storage, read> w: array<vec4f>;
@group(0) @binding(3) var<storage, read> bias: array<vec4f>;
@group(0) @binding(4) var<storage, read> residual: array<vec4f>;
@group(0) @binding(5) var<storage, read_write> y: array<vec4f>;

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
  y[at] = activate4(v, params.alpha);
}
