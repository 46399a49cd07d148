// Max or average pooling, C divisible by 4: each invocation pools 4 channels (a
// vec4, loaded through `loadX` of x_vec4.wgsl) of one output pixel. Window size,
// stride and dilation are override constants (kernel_window.wgsl); the reduction
// is pool_accumulate.wgsl's.
//
// A dispatch covers output rows [rowStart, rowEnd) (rows of all images, n·outH + oy);
// x and y are bound from elements xOrigin / yOrigin on when split into bands
// (multiples of 64 elements: binding offsets are 256-byte aligned).
// Contract, bindings and uniforms: src/kernels/pool/vec4.ts.

fn run(id: u32) {
  let perRow = params.outW * params.inC4;
  let row = params.rowStart + id / perRow;
  if (row >= params.rowEnd) {
    return;
  }
  let rest = id % perRow;
  let c4 = rest % params.inC4;
  let ox = rest / params.inC4;
  let n = row / params.outH;
  let oy = row % params.outH;

  let iy0 = i32(oy * SH) - i32(params.padTop);
  let ix0 = i32(ox * SW) - i32(params.padLeft);
  var acc = vec4f(params.init);
  var inside = 0u;
  for (var i = 0u; i < KH; i++) {
    let rowBase = windowRow(n, iy0 + i32(i * DH));
    if (rowBase == OUTSIDE_ROW) {
      continue;
    }
    for (var j = 0u; j < KW; j++) {
      let ix = ix0 + i32(j * DW);
      if (ix < 0 || ix >= i32(params.inW)) {
        continue;
      }
      acc = accumulate4(acc, loadX(rowBase + u32(ix), c4));
      inside++;
    }
  }
  y[(row * params.outW + ox) * params.inC4 + c4 - params.yOrigin / 4u] = finish4(acc, inside);
}
