// Standard and grouped convolution as an implicit GEMM without workgroup memory,
// for Cout/groups divisible by 4: each invocation computes 4 neighbouring output
// pixels (of one output row) × 4 output channels (a vec4), looping over the
// filter taps and the group's input channels: per step 4 input values and one
// vec4 of weights for 16 multiply-adds. Like pointwise_direct.wgsl, this is the
// variant for adapters where workgroup memory and barriers cost more than they
// save (software adapters); the tiled implicit GEMM (conv2d.wgsl) elsewhere.
// BLOCK8 doubles the block to 8 pixels × 8 output channels (Cout/groups divisible
// by 8): per step 8 input values and 2 vec4s of weights for 64 multiply-adds,
// half the loads per multiply-add.
//
// A dispatch covers output rows [rowStart, rowEnd) (n·outH + oy); x and y are bound
// from elements xOrigin / yOrigin on when split into bands.
// Contract, bindings and uniforms: src/kernels/conv2d/direct.ts.

override BLOCK8: bool = false;

// x at input column ix of a row (pixel index rowBase + ix), channel ch; zero outside.
fn tap(rowBase: u32, ix: i32, ch: u32) -> f32 {
  let inside = ix >= 0 && ix < i32(params.inW);
  let v = x[(rowBase + u32(clamp(ix, 0, i32(params.inW) - 1))) * params.inC + ch - params.xOrigin];
  return select(0.0, v, inside);
}

fn run(id: u32) {
  let cols = select(4u, 8u, BLOCK8);
  let colGroups = (params.outW + cols - 1u) / cols;
  // Output channel groups of 4 (one vec4) per invocation: 1, or 2 when BLOCK8.
  let chunks = params.outC4 / select(1u, 2u, BLOCK8);
  let perRow = colGroups * chunks;
  let row = params.rowStart + id / perRow;
  if (row >= params.rowEnd) {
    return;
  }
  let rest = id % perRow;
  let c4 = (rest % chunks) * select(1u, 2u, BLOCK8); // output channels 4·c4 .. 4·c4 + 3 (+ 4 .. 7 when BLOCK8)
  let ox0 = (rest / chunks) * cols;
  let n = row / params.outH;
  let oy = row % params.outH;
  // The group of these output channels, and its first input channel.
  let ch0 = ((c4 * 4u) / params.coutG) * params.cinG;

  let iy0 = i32(oy * SH) - i32(params.padTop);
  let ix0 = i32(ox0 * SW) - i32(params.padLeft);
  var acc0 = vec4f(0.0); var acc1 = vec4f(0.0); var acc2 = vec4f(0.0); var acc3 = vec4f(0.0);
  var acc4 = vec4f(0.0); var acc5 = vec4f(0.0); var acc6 = vec4f(0.0); var acc7 = vec4f(0.0);
  var bcc0 = vec4f(0.0); var bcc1 = vec4f(0.0); var bcc2 = vec4f(0.0); var bcc3 = vec4f(0.0);
  var bcc4 = vec4f(0.0); var bcc5 = vec4f(0.0); var bcc6 = vec4f(0.0); var bcc7 = vec4f(0.0);
  for (var i = 0u; i < KH; i++) {
    let rowBase = windowRow(n, iy0 + i32(i * DH));
    if (rowBase == OUTSIDE_ROW) {
      continue;
    }
    for (var j = 0u; j < KW; j++) {
      let ix = ix0 + i32(j * DW);
      // HWIO: w[i, j, ci, o], as vec4s over o.
      let wBase = (i * KW + j) * params.cinG * params.outC4 + c4;
      for (var ci = 0u; ci < params.cinG; ci++) {
        let wv = w[wBase + ci * params.outC4];
        let ch = ch0 + ci;
        let x0 = tap(rowBase, ix, ch);
        let x1 = tap(rowBase, ix + i32(SW), ch);
        let x2 = tap(rowBase, ix + i32(2u * SW), ch);
        let x3 = tap(rowBase, ix + i32(3u * SW), ch);
        acc0 += x0 * wv;
        acc1 += x1 * wv;
        acc2 += x2 * wv;
        acc3 += x3 * wv;
        if (BLOCK8) {
          let wv2 = w[wBase + ci * params.outC4 + 1u];
          let x4 = tap(rowBase, ix + i32(4u * SW), ch);
          let x5 = tap(rowBase, ix + i32(5u * SW), ch);
          let x6 = tap(rowBase, ix + i32(6u * SW), ch);
          let x7 = tap(rowBase, ix + i32(7u * SW), ch);
          acc4 += x4 * wv; acc5 += x5 * wv; acc6 += x6 * wv; acc7 += x7 * wv;
          bcc0 += x0 * wv2; bcc1 += x1 * wv2; bcc2 += x2 * wv2; bcc3 += x3 * wv2;
          bcc4 += x4 * wv2; bcc5 += x5 * wv2; bcc6 += x6 * wv2; bcc7 += x7 * wv2;
        }
      }
    }
  }
  // The stores as loops (see pointwise_direct8.wgsl: inlined copies of store() cost compile time).
  let a = array<vec4f, 8>(acc0, acc1, acc2, acc3, acc4, acc5, acc6, acc7);
  for (var i = 0u; i < cols; i++) {
    store(row, ox0 + i, c4, a[i]);
  }
  if (BLOCK8) {
    let b = array<vec4f, 8>(bcc0, bcc1, bcc2, bcc3, bcc4, bcc5, bcc6, bcc7);
    for (var i = 0u; i < 8u; i++) {
      store(row, ox0 + i, c4 + 1u, b[i]);
    }
  }
}
