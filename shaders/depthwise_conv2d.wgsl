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
// `DepthwiseParams` is generated from its schema in src/kernels/depthwise.ts.

override WG: u32 = 64u;
override KH: u32 = 3u;
override KW: u32 = 3u;
override HAS_BIAS: bool = false;

@group(0) @binding(0) var<uniform> params: DepthwiseParams;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let group = wid.x + nwg.x * (wid.y + nwg.y * wid.z);
  let idx = params.outStart + group * WG + lid;
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
  y[idx - params.yOrigin] = activate(acc, params.alpha);
}
