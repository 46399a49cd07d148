// Depthwise 5×5 (stride 1, dilation 1), as in MobileNetV3 and EfficientNet: the
// strip scheme of depthwise_3x3.wgsl with 4 output columns per invocation. Each
// invocation computes 4 channels (a vec4) at 4 neighbouring output columns of a
// strip of ROWS output rows, walking down the strip one input row at a time;
// the 25 filter taps stay in registers, each 8-column input row segment is
// loaded once for the 5 output rows it feeds, and the 4 rows still open roll
// down with the walk: (ROWS + 4)·8 + 25 vec4 loads for 4·ROWS outputs (2.4 per
// output at ROWS = 16) against 50 without reuse.
// Contract, bindings and uniforms: src/kernels/depthwise/strip5x5.ts.

// The 5 taps of one filter row, 4 output accumulators; Seg from depthwise_strip.wgsl.
struct Taps { w0: vec4f, w1: vec4f, w2: vec4f, w3: vec4f, w4: vec4f }
struct Acc { a0: vec4f, a1: vec4f, a2: vec4f, a3: vec4f }

fn taps(i: u32, c4: u32) -> Taps {
  let b = i * 5u * params.outC4 + c4;
  let st = params.outC4;
  return Taps(w[b], w[b + st], w[b + 2u * st], w[b + 3u * st], w[b + 4u * st]);
}

fn accumulate(a: ptr<function, Acc>, s: Seg, t: Taps) {
  (*a).a0 += s.x0 * t.w0 + s.x1 * t.w1 + s.x2 * t.w2 + s.x3 * t.w3 + s.x4 * t.w4;
  (*a).a1 += s.x1 * t.w0 + s.x2 * t.w1 + s.x3 * t.w2 + s.x4 * t.w3 + s.x5 * t.w4;
  (*a).a2 += s.x2 * t.w0 + s.x3 * t.w1 + s.x4 * t.w2 + s.x5 * t.w3 + s.x6 * t.w4;
  (*a).a3 += s.x3 * t.w0 + s.x4 * t.w1 + s.x5 * t.w2 + s.x6 * t.w3 + s.x7 * t.w4;
}

fn storeRow(row: u32, ox0: u32, c4: u32, a: Acc) {
  store(row, ox0, c4, a.a0);
  store(row, ox0 + 1u, c4, a.a1);
  store(row, ox0 + 2u, c4, a.a2);
  store(row, ox0 + 3u, c4, a.a3);
}

fn run(id: u32) {
  let st = stripOf(id, 4u);
  if (st.jLo >= st.jHi) {
    return;
  }
  let c4 = st.c4;
  let iyTop = i32(st.oyTop) - i32(params.padTop);
  let ix = i32(st.ox0) - i32(params.padLeft);
  let t0 = taps(0u, c4);
  let t1 = taps(1u, c4);
  let t2 = taps(2u, c4);
  let t3 = taps(3u, c4);
  let t4 = taps(4u, c4);

  // Input row r (from the strip's top) feeds output rows r - 4 .. r; a4 is row
  // r - 4 (complete after this row), a1 row r - 1.
  var a4: Acc;
  var a3: Acc;
  var a2: Acc;
  var a1: Acc;
  for (var r = st.jLo; r <= st.jHi + 3u; r++) {
    let s = segment(st.n, iyTop + i32(r), ix, c4, 8u);
    accumulate(&a4, s, t4);
    if (r >= st.jLo + 4u) {
      storeRow(st.gTop + r - 4u, st.ox0, c4, a4);
    }
    accumulate(&a3, s, t3);
    accumulate(&a2, s, t2);
    accumulate(&a1, s, t1);
    a4 = a3;
    a3 = a2;
    a2 = a1;
    a1 = Acc();
    accumulate(&a1, s, t0);
  }
}
