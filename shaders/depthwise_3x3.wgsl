// Depthwise 3×3 (dilation 1, stride 1 or 2), the shape of nearly every depthwise
// layer in MobileNets. Each invocation computes 4 channels (a vec4) at 8
// neighbouring output columns (stride 1) or 4 (stride 2) of a strip of ROWS
// output rows, walking down the strip one input row at a time: the 9 filter taps
// stay in registers, each input row segment the outputs share (10 columns at
// stride 1, 9 at stride 2) is loaded once for every output row it feeds, and
// the accumulators of the rows still open roll down with the walk. At stride 1
// that is (ROWS + 2)·10 + 9 vec4 loads for 8·ROWS outputs (1.4 per output at
// ROWS = 16), against 18 per output without reuse. Named struct members, not arrays: small private arrays
// end up in memory on some compilers. ROWS trades reuse for parallelism and is
// chosen per adapter and shape, or tuned (src/kernels/depthwise/strips.ts).
// Contract, bindings and uniforms: src/kernels/depthwise/strip3x3.ts.

override SW: u32 = 1u;
override SH: u32 = 1u;
override ROWS: u32 = 4u;

// One input row segment, the 3 taps of one filter row, 8 (or 4) output accumulators.
struct Seg { x0: vec4f, x1: vec4f, x2: vec4f, x3: vec4f, x4: vec4f, x5: vec4f, x6: vec4f, x7: vec4f, x8: vec4f, x9: vec4f }
struct Acc { a0: vec4f, a1: vec4f, a2: vec4f, a3: vec4f, a4: vec4f, a5: vec4f, a6: vec4f, a7: vec4f }
struct Taps { w0: vec4f, w1: vec4f, w2: vec4f }

// Input row iy (zeros above and below the image) at columns ix .. ix + 9.
fn segment(n: u32, iy: i32, ix: i32, c4: u32) -> Seg {
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
  s.x8 = tap(rb, ix + 8, c4);
  if (SW == 1u) {
    s.x9 = tap(rb, ix + 9, c4);
  }
  return s;
}

fn taps(i: u32, c4: u32) -> Taps {
  let stride = params.outC4;
  return Taps(w[(i * 3u) * stride + c4], w[(i * 3u + 1u) * stride + c4], w[(i * 3u + 2u) * stride + c4]);
}

fn accumulate(a: ptr<function, Acc>, s: Seg, t: Taps) {
  if (SW == 1u) {
    (*a).a0 += s.x0 * t.w0 + s.x1 * t.w1 + s.x2 * t.w2;
    (*a).a1 += s.x1 * t.w0 + s.x2 * t.w1 + s.x3 * t.w2;
    (*a).a2 += s.x2 * t.w0 + s.x3 * t.w1 + s.x4 * t.w2;
    (*a).a3 += s.x3 * t.w0 + s.x4 * t.w1 + s.x5 * t.w2;
    (*a).a4 += s.x4 * t.w0 + s.x5 * t.w1 + s.x6 * t.w2;
    (*a).a5 += s.x5 * t.w0 + s.x6 * t.w1 + s.x7 * t.w2;
    (*a).a6 += s.x6 * t.w0 + s.x7 * t.w1 + s.x8 * t.w2;
    (*a).a7 += s.x7 * t.w0 + s.x8 * t.w1 + s.x9 * t.w2;
  } else {
    (*a).a0 += s.x0 * t.w0 + s.x1 * t.w1 + s.x2 * t.w2;
    (*a).a1 += s.x2 * t.w0 + s.x3 * t.w1 + s.x4 * t.w2;
    (*a).a2 += s.x4 * t.w0 + s.x5 * t.w1 + s.x6 * t.w2;
    (*a).a3 += s.x6 * t.w0 + s.x7 * t.w1 + s.x8 * t.w2;
  }
}

fn storeRow(row: u32, ox0: u32, c4: u32, a: Acc) {
  store(row, ox0, c4, a.a0);
  store(row, ox0 + 1u, c4, a.a1);
  store(row, ox0 + 2u, c4, a.a2);
  store(row, ox0 + 3u, c4, a.a3);
  if (SW == 1u) {
    store(row, ox0 + 4u, c4, a.a4);
    store(row, ox0 + 5u, c4, a.a5);
    store(row, ox0 + 6u, c4, a.a6);
    store(row, ox0 + 7u, c4, a.a7);
  }
}

fn run(id: u32) {
  let cols = select(4u, 8u, SW == 1u);
  let colGroups = (params.outW + cols - 1u) / cols;
  let perStrip = colGroups * params.outC4;
  // Strips of ROWS output rows never straddle two images.
  let stripsPerImage = (params.outH + ROWS - 1u) / ROWS;
  let firstStrip = (params.rowStart / params.outH) * stripsPerImage + (params.rowStart % params.outH) / ROWS;
  let strip = firstStrip + id / perStrip;
  let n = strip / stripsPerImage;
  let oyTop = (strip % stripsPerImage) * ROWS;
  let gTop = n * params.outH + oyTop;
  // Rows jLo .. jHi - 1 of the strip are in this band and in the image.
  let jLo = select(0u, params.rowStart - gTop, params.rowStart > gTop);
  let jHi = min(min(ROWS, params.outH - oyTop), select(0u, params.rowEnd - gTop, params.rowEnd > gTop));
  if (jLo >= jHi) {
    return;
  }
  let rest = id % perStrip;
  let c4 = rest % params.outC4;
  let ox0 = (rest / params.outC4) * cols;
  let iyTop = i32(oyTop * SH) - i32(params.padTop);
  let ix = i32(ox0 * SW) - i32(params.padLeft);
  let t0 = taps(0u, c4);
  let t1 = taps(1u, c4);
  let t2 = taps(2u, c4);

  // Input row r (from the strip's top) feeds output rows (r - 2) / SH .. r / SH;
  // accumulators roll down the strip so each input row segment is loaded once.
  var p: Acc;
  var q: Acc;
  for (var r = jLo * SH; r <= (jHi - 1u) * SH + 2u; r++) {
    let s = segment(n, iyTop + i32(r), ix, c4);
    if (SH == 1u) {
      accumulate(&p, s, t2);
      if (r >= jLo + 2u) {
        storeRow(gTop + r - 2u, ox0, c4, p);
      }
      accumulate(&q, s, t1);
      p = q;
      q = Acc();
      accumulate(&q, s, t0);
    } else if (r % 2u == 0u) {
      accumulate(&p, s, t2);
      if (r >= 2u * jLo + 2u) {
        storeRow(gTop + r / 2u - 1u, ox0, c4, p);
      }
      p = Acc();
      accumulate(&p, s, t0);
    } else {
      accumulate(&p, s, t1);
    }
  }
}
