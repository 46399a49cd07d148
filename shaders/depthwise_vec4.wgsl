// Depthwise 2-D convolution, fast path for C·M divisible by 4: each invocation
// computes 4 output channels (a vec4) at 4 neighbouring output columns of one
// output row. Filter taps, bias and outputs are vec4 loads and stores; the input
// comes through `loadX` from the included loader (a vec4 load when M = 1, a
// gather of the input channels c = co/M otherwise: x_vec4.wgsl / x_gather.wgsl).
//
// Kernel size, stride and dilation are override constants (kernel_window.wgsl).
// Borders clamp the index and zero the value with a select instead of branching
// per tap.
//
// A dispatch covers output rows [rowStart, rowEnd) (rows of all images, n·outH + oy);
// x and y are bound from elements xOrigin / yOrigin on when split into bands
// (multiples of 64 elements: binding offsets are 256-byte aligned).
// Contract, bindings and uniforms: src/kernels/depthwise/vec4.ts.

fn run(id: u32) {
  let colGroups = (params.outW + 3u) / 4u;
  let perRow = colGroups * params.outC4;
  let row = params.rowStart + id / perRow;
  if (row >= params.rowEnd) {
    return;
  }
  let rest = id % perRow;
  let c4 = rest % params.outC4;
  let ox0 = (rest / params.outC4) * 4u;
  let n = row / params.outH;
  let oy = row % params.outH;

  let iy0 = i32(oy * SH) - i32(params.padTop);
  let ix0 = i32(ox0 * SW) - i32(params.padLeft);
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var i = 0u; i < KH; i++) {
    let rowBase = windowRow(n, iy0 + i32(i * DH));
    if (rowBase == OUTSIDE_ROW) {
      continue;
    }
    for (var j = 0u; j < KW; j++) {
      let wv = w[(i * KW + j) * params.outC4 + c4];
      let ix = ix0 + i32(j * DW);
      acc0 += tap(rowBase, ix, c4) * wv;
      acc1 += tap(rowBase, ix + i32(SW), c4) * wv;
      acc2 += tap(rowBase, ix + i32(2u * SW), c4) * wv;
      acc3 += tap(rowBase, ix + i32(3u * SW), c4) * wv;
    }
  }
  store(row, ox0, c4, acc0);
  store(row, ox0 + 1u, c4, acc1);
  store(row, ox0 + 2u, c4, acc2);
  store(row, ox0 + 3u, c4, acc3);
}
