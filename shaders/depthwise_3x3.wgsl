// Depthwise 3×3 (dilation 1, stride 1 or 2), the shape of nearly every depthwise
// layer in MobileNets: each invocation computes 4 channels (a vec4) at 8
// neighbouring output columns (stride 1) or 4 (stride 2) of one output row.
// The 9 filter taps are loaded once into registers, and each input row segment
// the outputs share (10 columns for stride 1, 9 for stride 2) is loaded once:
// 9 + 3·10 vec4 loads for 8 outputs instead of 9 + 3·3·8. Named variables, not
// arrays: small private arrays end up in memory on some compilers.
// Input loader (x_vec4.wgsl / x_gather.wgsl) and `DepthwiseVec4Params` come from
// src/kernels/depthwise.ts, as for depthwise_vec4.wgsl.

override WG: u32 = 64u;
override SW: u32 = 1u;
override SH: u32 = 1u;

@group(0) @binding(0) var<uniform> params: DepthwiseVec4Params;
// w, bias, y and store() come from vec4_out.wgsl, tap() from depthwise_tap.wgsl.

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let id = (wid.x + nwg.x * (wid.y + nwg.y * wid.z)) * WG + lid;
  // 8 columns per invocation at stride 1, 4 at stride 2 (same input span).
  let cols = select(4u, 8u, SW == 1u);
  let colGroups = (params.outW + cols - 1u) / cols;
  let perRow = colGroups * params.outC4;
  let row = params.rowStart + id / perRow;
  if (row >= params.rowEnd) {
    return;
  }
  let rest = id % perRow;
  let c4 = rest % params.outC4;
  let ox0 = (rest / params.outC4) * cols;
  let n = row / params.outH;
  let oy = row % params.outH;
  let iy0 = i32(oy * SH) - i32(params.padTop);
  let ix = i32(ox0 * SW) - i32(params.padLeft);
  let stride = params.outC4;

  var a0 = vec4f(0.0); var a1 = vec4f(0.0); var a2 = vec4f(0.0); var a3 = vec4f(0.0);
  var a4 = vec4f(0.0); var a5 = vec4f(0.0); var a6 = vec4f(0.0); var a7 = vec4f(0.0);
  for (var i = 0u; i < 3u; i++) {
    let iy = iy0 + i32(i);
    if (iy < 0 || iy >= i32(params.inH)) {
      continue;
    }
    let w0 = w[(i * 3u) * stride + c4];
    let w1 = w[(i * 3u + 1u) * stride + c4];
    let w2 = w[(i * 3u + 2u) * stride + c4];
    let rb = (n * params.inH + u32(iy)) * params.inW;
    let x0 = tap(rb, ix, c4);
    let x1 = tap(rb, ix + 1, c4);
    let x2 = tap(rb, ix + 2, c4);
    let x3 = tap(rb, ix + 3, c4);
    let x4 = tap(rb, ix + 4, c4);
    let x5 = tap(rb, ix + 5, c4);
    let x6 = tap(rb, ix + 6, c4);
    let x7 = tap(rb, ix + 7, c4);
    let x8 = tap(rb, ix + 8, c4);
    if (SW == 1u) {
      let x9 = tap(rb, ix + 9, c4);
      a0 += x0 * w0 + x1 * w1 + x2 * w2;
      a1 += x1 * w0 + x2 * w1 + x3 * w2;
      a2 += x2 * w0 + x3 * w1 + x4 * w2;
      a3 += x3 * w0 + x4 * w1 + x5 * w2;
      a4 += x4 * w0 + x5 * w1 + x6 * w2;
      a5 += x5 * w0 + x6 * w1 + x7 * w2;
      a6 += x6 * w0 + x7 * w1 + x8 * w2;
      a7 += x7 * w0 + x8 * w1 + x9 * w2;
    } else {
      a0 += x0 * w0 + x1 * w1 + x2 * w2;
      a1 += x2 * w0 + x3 * w1 + x4 * w2;
      a2 += x4 * w0 + x5 * w1 + x6 * w2;
      a3 += x6 * w0 + x7 * w1 + x8 * w2;
    }
  }
  store(row, ox0, c4, a0);
  store(row, ox0 + 1u, c4, a1);
  store(row, ox0 + 2u, c4, a2);
  store(row, ox0 + 3u, c4, a3);
  if (SW == 1u) {
    store(row, ox0 + 4u, c4, a4);
    store(row, ox0 + 5u, c4, a5);
    store(row, ox0 + 6u, c4, a6);
    store(row, ox0 + 7u, c4, a7);
  }
}
