// Pixels to a tensor (Engine.fromPixels): one invocation per output element. x holds
// the source's RGBA8 pixels packed in u32 (R in the low byte), rows params.rowStride
// words apart. Bilinear sampling with half-pixel centres at source x = cropX +
// (ox + ½)·stepX − ½, clamped to the image (as tf.image.resizeBilinear with
// halfPixelCenters; no antialiasing; with params.bands, letterbox bands: a position
// outside the image reads black), then (v·scale − mean[c]) / std[c], written NHWC
// or, with params.nchw, NCHW. The CPU reference is src/cpu/pixels.ts.
// Contract, bindings and uniforms: src/kernels/utility/pixels.ts.

fn texel(ix: u32, iy: u32, c: u32) -> f32 {
  return f32((x[iy * params.rowStride + ix] >> (8u * c)) & 0xffu);
}

fn channelMean(c: u32) -> f32 {
  return select(select(select(params.mean3, params.mean2, c == 2u), params.mean1, c == 1u), params.mean0, c == 0u);
}

fn channelStd(c: u32) -> f32 {
  return select(select(select(params.std3, params.std2, c == 2u), params.std1, c == 1u), params.std0, c == 0u);
}

fn run(idx: u32) {
  if (idx >= params.outH * params.outW * params.channels) {
    return;
  }
  var c: u32;
  var pixel: u32;
  if (params.nchw == 1u) {
    let plane = params.outH * params.outW;
    c = idx / plane;
    pixel = idx % plane;
  } else {
    c = idx % params.channels;
    pixel = idx / params.channels;
  }
  let ox = pixel % params.outW;
  let oy = pixel / params.outW;
  let u = params.cropX + (f32(ox) + 0.5) * params.stepX;
  let v = params.cropY + (f32(oy) + 0.5) * params.stepY;
  if (params.bands == 1u && (u < 0.0 || u >= f32(params.srcW) || v < 0.0 || v >= f32(params.srcH))) {
    y[idx] = (0.0 - channelMean(c)) / channelStd(c);
    return;
  }
  let sx = clamp(u - 0.5, 0.0, f32(params.srcW - 1u));
  let sy = clamp(v - 0.5, 0.0, f32(params.srcH - 1u));
  let x0 = u32(floor(sx));
  let y0 = u32(floor(sy));
  let x1 = min(x0 + 1u, params.srcW - 1u);
  let y1 = min(y0 + 1u, params.srcH - 1u);
  let fx = sx - f32(x0);
  let fy = sy - f32(y0);
  let top = mix(texel(x0, y0, c), texel(x1, y0, c), fx);
  let bottom = mix(texel(x0, y1, c), texel(x1, y1, c), fx);
  y[idx] = (mix(top, bottom, fy) * params.scale - channelMean(c)) / channelStd(c);
}
