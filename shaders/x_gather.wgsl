// Input loader for depthwise_vec4.wgsl when M > 1: output channel co reads input
// channel co / M, so the 4 outputs of a vec4 read 1 to 4 input channels.
// MULT is an override, so for M = 2 and M ≥ 4 (4 | M) the repeated loads fold.
@group(0) @binding(1) var<storage, read> x: array<f32>;

override MULT: u32 = 2u;

fn loadX(pixel: u32, c4: u32) -> vec4f {
  let base = pixel * params.inC - params.xOrigin;
  let co = c4 * 4u;
  return vec4f(x[base + co / MULT], x[base + (co + 1u) / MULT], x[base + (co + 2u) / MULT], x[base + (co + 3u) / MULT]);
}
