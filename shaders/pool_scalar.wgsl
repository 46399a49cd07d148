// Max or average pooling, any channel count: one output element per invocation
// (consecutive invocations take consecutive channels, so neighbouring threads
// read neighbouring values). Window size, stride and dilation are override
// constants (kernel_window.wgsl); the window loop and reduction are
// pool_accumulate.wgsl's, on the value broadcast to a vec4 (one code path for
// both kernels; only lane x is stored).
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

  y[idx - params.yOrigin] = poolWindow(n, oy, ox, c).x;
}

// Channel c of an input pixel, broadcast to the vec4 the reduction works on.
fn poolLoad(pixel: u32, c: u32) -> vec4f {
  return vec4f(x[pixel * params.inC + c - params.xOrigin]);
}
