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

// The 3 taps of one filter row, 8 (or 4) output accumulators; Seg from depthwise_strip.wgsl.
struct Acc { a0: vec4f, a1: vec4f, a2: vec4f, a3: vec4f, a4: vec4f, a5: vec4f, a6: vec4f, a7: vec4f }
struct Taps { w0: vec4f, w1: vec4f, w2: vec4f }

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

// A loop, not 8 inlined copies of store(): those would double the shader's
// compile time on software adapters; GPU compilers unroll it back.
fn storeRow(row: u32, ox0: u32, c4: u32, a: Acc) {
  let v = array<vec4f, 8>(a.a0, a.a1, a.a2, a.a3, a.a4, a.a5, a.a6, a.a7);
  for (var i = 0u; i < select(4u, 8u, SW == 1u); i++) {
    store(row, ox0 + i, c4, v[i]);
  }
}

fn run(id: u32) {
  let st = stripOf(id, select(4u, 8u, SW == 1u));
  if (st.jLo >= st.jHi) {
    return;
  }
  let c4 = st.c4;
  let iyTop = i32(st.oyTop * SH) - i32(params.padTop);
  let ix = i32(st.ox0 * SW) - i32(params.padLeft);
  let t0 = taps(0u, c4);
  let t1 = taps(1u, c4);
  let t2 = taps(2u, c4);

  // Input row r (from the strip's top) feeds output rows (r - 2) / SH .. r / SH;
  // accumulators roll down the strip so each input row segment is loaded once.
  var p: Acc;
  var q: Acc;
  for (var r = st.jLo * SH; r <= (st.jHi - 1u) * SH + 2u; r++) {
    let s = segment(st.n, iyTop + i32(r), ix, c4, select(9u, 10u, SW == 1u));
    if (SH == 1u) {
      accumulate(&p, s, t2);
      if (r >= st.jLo + 2u) {
        storeRow(st.gTop + r - 2u, st.ox0, c4, p);
      }
      accumulate(&q, s, t1);
      p = q;
      q = Acc();
      accumulate(&q, s, t0);
    } else if (r % 2u == 0u) {
      accumulate(&p, s, t2);
      if (r >= 2u * st.jLo + 2u) {
        storeRow(st.gTop + r / 2u - 1u, st.ox0, c4, p);
      }
      p = Acc();
      accumulate(&p, s, t0);
    } else {
      accumulate(&p, s, t1);
    }
  }
}
