// The window loop and reduction of the pooling kernels (pool_vec4.wgsl,
// pool_scalar.wgsl), which provide `poolLoad(pixel, c)`: the 4 (or 1, broadcast)
// values of channel group c at an input pixel. Over the window cells inside the
// input (padded cells are skipped): the maximum, NaN as
// soon as a cell is NaN, or the sum, divided at the end by the cell count (by KH·KW
// with COUNT_PAD, ONNX count_include_pad). The accumulator starts at params.init
// (−∞ for max, 0 for avg) and a window without a cell inside the input gives
// params.empty (−∞ for max, NaN for avg without COUNT_PAD): WGSL cannot write ±∞
// or NaN as constants, so they come as uniforms.

override IS_MAX: bool = true;
override COUNT_PAD: bool = false;

// NaN test on the bits: shader compilers may fold `v != v` to false, and WGSL's
// max() of a NaN is implementation-defined.
fn nanLanes(v: vec4f) -> vec4<bool> {
  return (bitcast<vec4u>(v) & vec4u(0x7fffffffu)) > vec4u(0x7f800000u);
}

fn accumulate4(acc: vec4f, v: vec4f) -> vec4f {
  if (IS_MAX) {
    // v > NaN is false, so a NaN accumulator stays NaN.
    return select(select(acc, v, v > acc), v, nanLanes(v));
  }
  return acc + v;
}

// The pooled value of a window whose cells inside the input were `inside`.
fn finish4(acc: vec4f, inside: u32) -> vec4f {
  if (IS_MAX) {
    return acc;
  }
  if (COUNT_PAD) {
    return acc / f32(KH * KW);
  }
  return select(acc / f32(max(inside, 1u)), vec4f(params.empty), inside == 0u);
}

// The pooled value at output (n, oy, ox) for channel group c: the window's cells
// in one flat loop (cell = i·KW + j; KW is a constant, so the division is cheap).
fn poolWindow(n: u32, oy: u32, ox: u32, c: u32) -> vec4f {
  let iy0 = i32(oy * SH) - i32(params.padTop);
  let ix0 = i32(ox * SW) - i32(params.padLeft);
  var acc = vec4f(params.init);
  var inside = 0u;
  for (var cell = 0u; cell < KH * KW; cell++) {
    let rowBase = windowRow(n, iy0 + i32((cell / KW) * DH));
    let ix = ix0 + i32((cell % KW) * DW);
    if (rowBase != OUTSIDE_ROW && ix >= 0 && ix < i32(params.inW)) {
      acc = accumulate4(acc, poolLoad(rowBase + u32(ix), c));
      inside++;
    }
  }
  return finish4(acc, inside);
}
