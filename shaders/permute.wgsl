// Transpose of a tensor of rank ≤ 4 (shapes padded with leading 1s): one
// invocation per output element; `stride0..3` are the input strides of the
// output dimensions. Used for NCHW ↔ NHWC and OIHW → HWIO conversions.
// Contract, bindings and uniforms: src/kernels/utility/permute.ts.

fn run(idx: u32) {
  if (idx >= params.total) {
    return;
  }
  let i3 = idx % params.dim3;
  var t = idx / params.dim3;
  let i2 = t % params.dim2;
  t = t / params.dim2;
  let i1 = t % params.dim1;
  let i0 = t / params.dim1;
  y[idx] = x[i0 * params.stride0 + i1 * params.stride1 + i2 * params.stride2 + i3 * params.stride3];
}
