// Input loader for depthwise_vec4.wgsl when M = 1: input channels are output
// channels, so 4 of them are one vec4 load. `pixel` is the input pixel index.
@group(0) @binding(1) var<storage, read> x: array<vec4f>;

fn loadX(pixel: u32, c4: u32) -> vec4f {
  return x[pixel * params.inC4 + c4 - params.xOrigin / 4u];
}
