// Max or average pooling, C divisible by 4: each invocation pools 4 channels (a
// vec4, loaded through `loadX` of x_vec4.wgsl) of one output pixel. Window size,
// stride and dilation are override constants (kernel_window.wgsl); the window
// loop and reduction are pool_accumulate.wgsl's.
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

  y[(row * params.outW + ox) * params.inC4 + c4 - params.yOrigin / 4u] = poolWindow(n, oy, ox, c4);
}

// Channels 4·c4 … 4·c4 + 3 of an input pixel.
fn poolLoad(pixel: u32, c4: u32) -> vec4f {
  return loadX(pixel, c4);
}
