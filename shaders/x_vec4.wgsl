// Input loader of the depthwise vec4 and strip kernels when M = 1: input
// channels are output channels, so 4 of them are one vec4 load (x is an array of
// vec4f). `pixel` is the input pixel index.

fn loadX(pixel: u32, c4: u32) -> vec4f {
  return x[pixel * params.inC4 + c4 - params.xOrigin / 4u];
}
