// Input loader of the depthwise vec4 and strip kernels when M > 1: output channel
// co reads input channel co / M, so the 4 outputs of a vec4 read 1 to 4 input
// channels (x is an array of f32). MULT is an override, so for M = 2 and M ≥ 4
// (4 | M) the repeated loads fold.

override MULT: u32 = 2u;

fn loadX(pixel: u32, c4: u32) -> vec4f {
  let base = pixel * params.inC - params.xOrigin;
  let co = c4 * 4u;
  return vec4f(x[base + co / MULT], x[base + (co + 1u) / MULT], x[base + (co + 2u) / MULT], x[base + (co + 3u) / MULT]);
}
