// Global average pooling, [N, H, W, C] → [N, 1, 1, C]: one invocation per
// (n, c), summing its H·W values in pixel order. The pooled layers of the
// networks sepconv runs are small (7×7), so a reduction tree would not pay.
// Contract, bindings and uniforms: src/kernels/utility/pool.ts.

fn run(idx: u32) {
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
