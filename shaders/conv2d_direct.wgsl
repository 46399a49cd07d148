// Standard and grouped convolution as an implicit GEMM without workgroup memory,
// for Cout/groups divisible by 4: each invocation computes 4 neighbouring output
// pixels (of one output row) × 4 output channels (a vec4), looping over the
// filter taps and the group's input channels: per step 4 input values and one
// vec4 of weights for 16 multiply-adds. Like pointwise_direct.wgsl, this is the
// variant for adapters where workgroup memory and barriers cost more than they
// save (software adapters); the tiled implicit GEMM (conv2d.wgsl) elsewhere.
//
// A dispatch covers output rows [rowStart, rowEnd) (n·outH + oy); x and y are bound
// from elements xOrigin / yOrigin on when split into bands.
// `Conv2dDirectParams` is generated from its schema in src/kernels/gemm.ts.

override WG: u32 = 64u;
override KH: u32 = 3u;
override KW: u32 = 3u;
override SH: u32 = 1u;
override SW: u32 = 1u;
override DH: u32 = 1u;
override DW: u32 = 1u;

@group(0) @binding(0) var<uniform> params: Conv2dDirectParams;
@group(0) @binding(1) var<storage, read> x: array<f32>;
// w, bias, y and store() come from vec4_out.wgsl.

// x at input column ix of a row (pixel index rowBase + ix), channel ch; zero outside.
fn tap(rowBase: u32, ix: i32, ch: u32) -> f32 {
  let inside = ix >= 0 && ix < i32(params.inW);
  let v = x[(rowBase + u32(clamp(ix, 0, i32(params.inW) - 1))) * params.inC + ch - params.xOrigin];
  return select(0.0, v, inside);
}

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let id = (wid.x + nwg.x * (wid.y + nwg.y * wid.z)) * WG + lid;
  let colGroups = (params.outW + 3u) / 4u;
  let perRow = colGroups * params.outC4;
  let row = params.rowStart + id / perRow;
  if (row >= params.rowEnd) {
    return;
  }
  let rest = id % perRow;
  let c4 = rest % params.outC4; // output channels 4·c4 .. 4·c4 + 3
  let ox0 = (rest / params.outC4) * 4u;
  let n = row / params.outH;
  let oy = row % params.outH;
  // The group of these output channels, and its first input channel.
  let ch0 = ((c4 * 4u) / params.coutG) * params.cinG;

  let iy0 = i32(oy * SH) - i32(params.padTop);
  let ix0 = i32(ox0 * SW) - i32(params.padLeft);
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var i = 0u; i < KH; i++) {
    let iy = iy0 + i32(i * DH);
    if (iy < 0 || iy >= i32(params.inH)) {
      continue;
    }
    let rowBase = (n * params.inH + u32(iy)) * params.inW;
    for (var j = 0u; j < KW; j++) {
      let ix = ix0 + i32(j * DW);
      // HWIO: w[i, j, ci, o], as vec4s over o.
      let wBase = (i * KW + j) * params.cinG * params.outC4 + c4;
      for (var ci = 0u; ci < params.cinG; ci++) {
        let wv = w[wBase + ci * params.outC4];
        let ch = ch0 + ci;
        acc0 += tap(rowBase, ix, ch) * wv;
        acc1 += tap(rowBase, ix + i32(SW), ch) * wv;
        acc2 += tap(rowBase, ix + i32(2u * SW), ch) * wv;
        acc3 += tap(rowBase, ix + i32(3u * SW), ch) * wv;
      }
    }
  }
  store(row, ox0, c4, acc0);
  store(row, ox0 + 1u, c4, acc1);
  store(row, ox0 + 2u, c4, acc2);
  store(row, ox0 + 3u, c4, acc3);
}
