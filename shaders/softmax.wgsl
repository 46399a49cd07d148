// Softmax over the last dimension of [rows, size]: one workgroup per row; the
// row's maximum and the sum of exponentials are reduced in workgroup memory,
// then every invocation writes its share of e^(v − max) / sum.
// Contract, bindings and uniforms: src/kernels/utility/softmax.ts.

const WG = 64u;

var<workgroup> partial: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let row = wid.x + nwg.x * (wid.y + nwg.y * wid.z);
  if (row >= params.rows) {
    return;
  }
  let base = row * params.size;
  var m = -0x1.fffffep+127f; // the lowest f32
  for (var i = lid; i < params.size; i += WG) {
    m = max(m, x[base + i]);
  }
  partial[lid] = m;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    if (lid < s) {
      partial[lid] = max(partial[lid], partial[lid + s]);
    }
    workgroupBarrier();
  }
  let rowMax = partial[0];
  workgroupBarrier();
  var sum = 0.0;
  for (var i = lid; i < params.size; i += WG) {
    sum += exp(x[base + i] - rowMax);
  }
  partial[lid] = sum;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    if (lid < s) {
      partial[lid] += partial[lid + s];
    }
    workgroupBarrier();
  }
  let total = partial[0];
  for (var i = lid; i < params.size; i += WG) {
    y[base + i] = exp(x[base + i] - rowMax) / total;
  }
}
