// Transpose of a tensor of rank ≤ 4 (shapes padded with leading 1s): one
// invocation per output element; `stride0..3` are the input strides of the
// output dimensions. Used for NCHW ↔ NHWC and OIHW → HWIO conversions.
// `PermuteParams` is generated from its schema in src/kernels/permute.ts.

override WG: u32 = 64u;

@group(0) @binding(0) var<uniform> params: PermuteParams;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let idx = (wid.x + nwg.x * (wid.y + nwg.y * wid.z)) * WG + lid;
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
