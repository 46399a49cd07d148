// Max or average pooling, any channel count: one output element per invocation
// (consecutive invocations take consecutive channels, so neighbouring threads
// read neighbouring values). Window size, stride and dilation are override
// constants (kernel_window.wgsl); the reduction is pool_accumulate.wgsl's, on
// the value broadcast to a vec4 (one code path for both kernels; only lane x is
// stored).
//
// A dispatch covers output rows [rowStart, rowEnd) (rows of all images, n·outH + oy);
// x and y are bound from elements xOrigin / yOrigin on when split into bands.
// Contract, bindings and uniforms: src/kernels/pool/scalar.ts.

fn run(id: u32) {
  let rowElements = params.outW * params.inC;
  let idx = params.rowStart * rowElements + id;
  if (idx >= params.rowEnd * rowElements) {
    return;
  }
  let c = idx % params.inC;
  let pixel = idx / params.inC;
  let ox = pixel % params.outW;
  let row = pixel / params.outW;
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
      acc = accumulate4(acc, vec4f(x[(rowBase + u32(ix)) * params.inC + c - params.xOrigin]));
      inside++;
    }
  }
  y[idx - params.yOrigin] = finish4(acc, inside).x;
}
