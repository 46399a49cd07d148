// Pointwise (1×1) convolution = GEMM [M = N·H·W, K = Cin] × [Cin, Cout]: A is
// the input itself. Included before gemm_tiled.wgsl; `PointwiseParams` is
// generated from its schema in src/kernels/gemm.ts.

const RES_BINDING = 4u;

@group(0) @binding(0) var<uniform> params: PointwiseParams;

fn loadA(g: u32, row: u32, k: u32) -> f32 {
  return x[(params.rowStart + row) * params.K + k - params.xOrigin];
}
