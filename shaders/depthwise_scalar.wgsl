// Depthwise 2-D convolution, NHWC input, filter [KH, KW, C, M], output
// [N, outH, outW, C·M] with output channel co = c·M + m.
//
// One invocation per output element; consecutive invocations take consecutive
// output channels, so neighbouring threads read neighbouring input channels and
// filter taps (coalesced). Kernel size is an override constant so the tap loops
// unroll; shapes, stride, dilation and padding are uniforms, so one pipeline
// serves every layer with the same kernel size.
//
// A dispatch covers output elements [outStart, outEnd). When a tensor is larger
// than one binding may be, the op runs in bands (src/kernels/bands.ts): x and y
// are then bound from element xOrigin / yOrigin on, and indices are shifted.
//
// Contract, bindings and uniforms: src/kernels/depthwise/scalar.ts.

override KH: u32 = 3u;
override KW: u32 = 3u;
override HAS_BIAS: bool = false;

fn run(id: u32) {
  let idx = params.outStart + id;
  if (idx >= params.outEnd) {
    return;
  }
  let co = idx % params.outC;
  var rest = idx / params.outC;
  let ox = rest % params.outW;
  rest = rest / params.outW;
  let oy = rest % params.outH;
  let n = rest / params.outH;
  let c = co / params.multiplier;

  let iy0 = i32(oy * params.strideH) - i32(params.padTop);
  let ix0 = i32(ox * params.strideW) - i32(params.padLeft);
  var acc = 0.0;
  for (var i = 0u; i < KH; i++) {
    let iy = iy0 + i32(i * params.dilationH);
    if (iy < 0 || iy >= i32(params.inH)) {
      continue;
    }
    let rowBase = (n * params.inH + u32(iy)) * params.inW;
    for (var j = 0u; j < KW; j++) {
      let ix = ix0 + i32(j * params.dilationW);
      if (ix < 0 || ix >= i32(params.inW)) {
        continue;
      }
      acc += x[(rowBase + u32(ix)) * params.inC + c - params.xOrigin] * w[(i * KW + j) * params.outC + co];
    }
  }
  if (HAS_BIAS) {
    acc += bias[co];
  }
  y[idx - params.yOrigin] = activate(acc, params.alpha, params.beta);
}
