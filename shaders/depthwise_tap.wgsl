// Input column ix of an input row (pixel index rowBase + ix), 4 channels from
// c4·4, zero outside [0, inW): the index is clamped and the value zeroed with a
// select instead of a branch per tap. Shared by the depthwise vec4 and strip
// kernels; `loadX` comes from the input loader (x_vec4 / x_gather).
fn tap(rowBase: u32, ix: i32, c4: u32) -> vec4f {
  let inside = ix >= 0 && ix < i32(params.inW);
  let v = loadX(rowBase + u32(clamp(ix, 0, i32(params.inW) - 1)), c4);
  return select(vec4f(0.0), v, inside);
}
