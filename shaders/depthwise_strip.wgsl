// The work of one invocation of a strip kernel (depthwise_3x3, depthwise_5x5): a
// strip of ROWS output rows of image n from row oyTop (gTop = n·outH + oyTop
// over all images), 4 channels from 4·c4, `cols` output columns from ox0.
// Strips never straddle two images. A dispatch covers the output rows
// [rowStart, rowEnd) of a band: rows jLo .. jHi - 1 of the strip are the ones in
// the band and in the image (none when jLo >= jHi: the invocation has no work).

override ROWS: u32 = 4u;

struct Strip {
  n: u32,
  oyTop: u32,
  gTop: u32,
  jLo: u32,
  jHi: u32,
  c4: u32,
  ox0: u32,
}

// An input row segment the strip walks: up to 10 input columns (x0 .. x9).
struct Seg { x0: vec4f, x1: vec4f, x2: vec4f, x3: vec4f, x4: vec4f, x5: vec4f, x6: vec4f, x7: vec4f, x8: vec4f, x9: vec4f }

// Input row iy of image n (zeros above and below the image) at columns ix ..
// ix + len - 1, 8 ≤ len ≤ 10 (a constant at every call, so the tests fold).
fn segment(n: u32, iy: i32, ix: i32, c4: u32, len: u32) -> Seg {
  var s: Seg;
  if (iy < 0 || iy >= i32(params.inH)) {
    return s;
  }
  let rb = (n * params.inH + u32(iy)) * params.inW;
  s.x0 = tap(rb, ix, c4);
  s.x1 = tap(rb, ix + 1, c4);
  s.x2 = tap(rb, ix + 2, c4);
  s.x3 = tap(rb, ix + 3, c4);
  s.x4 = tap(rb, ix + 4, c4);
  s.x5 = tap(rb, ix + 5, c4);
  s.x6 = tap(rb, ix + 6, c4);
  s.x7 = tap(rb, ix + 7, c4);
  if (len > 8u) {
    s.x8 = tap(rb, ix + 8, c4);
  }
  if (len > 9u) {
    s.x9 = tap(rb, ix + 9, c4);
  }
  return s;
}

fn stripOf(id: u32, cols: u32) -> Strip {
  let perStrip = ((params.outW + cols - 1u) / cols) * params.outC4;
  let stripsPerImage = (params.outH + ROWS - 1u) / ROWS;
  let firstStrip = (params.rowStart / params.outH) * stripsPerImage + (params.rowStart % params.outH) / ROWS;
  let strip = firstStrip + id / perStrip;
  var s: Strip;
  s.n = strip / stripsPerImage;
  s.oyTop = (strip % stripsPerImage) * ROWS;
  s.gTop = s.n * params.outH + s.oyTop;
  s.jLo = select(0u, params.rowStart - s.gTop, params.rowStart > s.gTop);
  s.jHi = min(min(ROWS, params.outH - s.oyTop), select(0u, params.rowEnd - s.gTop, params.rowEnd > s.gTop));
  let rest = id % perStrip;
  s.c4 = rest % params.outC4;
  s.ox0 = (rest / params.outC4) * cols;
  return s;
}
