// Draws a float32 NHWC tensor [1, H, W, C] on an H×W WebGPU canvas, straight from the
// storage buffer sepconv computed it in (tensor.gpuBuffer()): no read-back. The display
// mapping is the CPU drawing's (drawRgb / drawChannel in image.ts): 'clip' v, 'abs' |v|,
// 'signed' 0.5 + 0.5·v, 'stretch' (v − lo) / (hi − lo) over the drawn values' range, then
// clamped to 0…1 (ImageData clamps to 0…255 the same way). The range of 'stretch' comes from
// `range_main`, a one-workgroup compute pass run just before the render pass.

struct Params {
  width: u32,
  height: u32,
  channels: u32,
  // −1: channels 0, 1, 2 as RGB; otherwise this channel as grey.
  channel: i32,
  // 0 clip, 1 abs, 2 signed, 3 stretch (MODES in gpu-draw.ts).
  mode: u32,
  // Index of the tensor's first value in `tensor`: the binding starts at the buffer offset
  // rounded down to minStorageBufferOffsetAlignment.
  first: u32,
}

@group(0) @binding(0) var<storage, read> tensor: array<f32>;
@group(0) @binding(1) var<uniform> params: Params;
// [lo, hi] of the drawn values: written by range_main, read by the fragment shader. Two
// bindings of the same buffer, in different passes (a pass may not write what it reads).
@group(0) @binding(2) var<storage, read_write> range_out: array<f32, 2>;
@group(0) @binding(3) var<storage, read> range_in: array<f32, 2>;

// ---- 'stretch': min and max of the drawn values, one workgroup -----------------------

const WG: u32 = 256u;
var<workgroup> los: array<f32, WG>;
var<workgroup> his: array<f32, WG>;

@compute @workgroup_size(WG)
fn range_main(@builtin(local_invocation_index) lid: u32) {
  // The largest finite f32: a value never seen leaves lo > hi, which the fragment treats as no range.
  var lo = 3.4028234e38;
  var hi = -3.4028234e38;
  let pixels = params.width * params.height;
  if (params.channel < 0) {
    // drawRgb's range: over every value of the tensor.
    for (var i = lid; i < pixels * params.channels; i += WG) {
      let v = tensor[params.first + i];
      lo = min(lo, v);
      hi = max(hi, v);
    }
  } else {
    // drawChannel's range: over the drawn channel only.
    for (var p = lid; p < pixels; p += WG) {
      let v = tensor[params.first + p * params.channels + u32(params.channel)];
      lo = min(lo, v);
      hi = max(hi, v);
    }
  }
  los[lid] = lo;
  his[lid] = hi;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      los[lid] = min(los[lid], los[lid + s]);
      his[lid] = max(his[lid], his[lid + s]);
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    range_out[0] = los[0];
    range_out[1] = his[0];
  }
}

// ---- the picture: a full-screen triangle, one fragment per tensor pixel ---------------

@vertex
fn vs(@builtin(vertex_index) i: u32) -> @builtin(position) vec4f {
  // (−1, −1), (3, −1), (−1, 3): one triangle covering the whole canvas.
  let p = vec2f(f32((i << 1u) & 2u), f32(i & 2u)) * 2.0 - 1.0;
  return vec4f(p, 0.0, 1.0);
}

fn shown(v: f32) -> f32 {
  switch params.mode {
    case 1u: {
      return abs(v);
    }
    case 2u: {
      return 0.5 + 0.5 * v;
    }
    case 3u: {
      let lo = range_in[0];
      let hi = range_in[1];
      // As image.ts: scale 1 when the values are all equal (hi = lo).
      let s = select(1.0, 1.0 / (hi - lo), hi > lo);
      return (v - lo) * s;
    }
    default: {
      return v;
    }
  }
}

@fragment
fn fs(@builtin(position) pos: vec4f) -> @location(0) vec4f {
  // Fragment coordinates are pixel centres from the top-left: row y of the canvas is row y of the tensor.
  let x = min(u32(pos.x), params.width - 1u);
  let y = min(u32(pos.y), params.height - 1u);
  let base = params.first + (y * params.width + x) * params.channels;
  var rgb: vec3f;
  if (params.channel < 0) {
    rgb = vec3f(shown(tensor[base]), shown(tensor[base + 1u]), shown(tensor[base + 2u]));
  } else {
    rgb = vec3f(shown(tensor[base + u32(params.channel)]));
  }
  return vec4f(clamp(rgb, vec3f(0.0), vec3f(1.0)), 1.0);
}
