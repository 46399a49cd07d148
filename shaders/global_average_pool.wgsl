// Global average pooling, [N, H, W, C] → [N, 1, 1, C]: one invocation per
// (n, c), summing its H·W values in pixel order. The pooled layers of the
// networks sepconv runs are small (7×7), so a reduction tree would not pay.
// `PoolParams` is generated from its schema in src/kernels/pool.ts.

override WG: u32 = 64u;

@group(0) @binding(0) var<uniform> params: PoolParams;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let idx = (wid.x + nwg.x * (wid.y + nwg.y * wid.z)) * WG + lid;
  if (idx >= params.batch * params.channels) {
    return;
  }
  let n = idx / params.channels;
  let c = idx % params.channels;
  let base = n * params.pixels * params.channels + c;
  var sum = 0.0;
  for (var q = 0u; q < params.pixels; q++) {
    sum += x[base + q * params.channels];
  }
  y[idx] = sum / f32(params.pixels);
}
