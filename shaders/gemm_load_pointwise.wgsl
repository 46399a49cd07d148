// A loader of gemm_tiled.wgsl for the pointwise (1×1) convolution = GEMM
// [M = N·H·W, K = Cin] × [Cin, Cout]: A is the input x itself (rows from
// rowStart on, x bound from element xOrigin on).

fn loadA(g: u32, row: u32, k: u32) -> f32 {
  return x[(params.rowStart + row) * params.K + k - params.xOrigin];
}
