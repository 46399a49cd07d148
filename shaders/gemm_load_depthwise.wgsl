// Fused separable convolution: the pointwise GEMM of gemm_tiled.wgsl with A =
// the depthwise output, computed on the fly for each element the GEMM stages
// in workgroup memory (row = output pixel, k = depthwise output channel c·M + m).
// The intermediate [N, Ho, Wo, C·M] tensor is never written to global memory;
// the price is recomputing a depthwise element once per column tile of the
// output (Cout / TILE_N times), cheap next to the Cout multiply-adds it feeds.
// The A loader of gemm_tiled.wgsl for src/kernels/separable/fused.ts; reads x,
// the depthwise filter dwW and bias dwBias (arrays of f32).

override HAS_DW_BIAS: bool = false;

fn loadA(g: u32, row: u32, k: u32) -> f32 {
  let at = outputPixel(row);
  let n = at.x;
  let oy = at.y;
  let ox = at.z;
  let c = k / params.multiplier;
  let iy0 = i32(oy * SH) - i32(params.padTop);
  let ix0 = i32(ox * SW) - i32(params.padLeft);
  var acc = 0.0;
  for (var i = 0u; i < KH; i++) {
    let rowBase = windowRow(n, iy0 + i32(i * DH));
    if (rowBase == OUTSIDE_ROW) {
      continue;
    }
    for (var j = 0u; j < KW; j++) {
      let ix = ix0 + i32(j * DW);
      if (ix >= 0 && ix < i32(params.inW)) {
        acc += x[(rowBase + u32(ix)) * params.inC + c - params.xOrigin] * dwW[(i * KW + j) * params.K + k];
      }
    }
  }
  if (HAS_DW_BIAS) {
    acc += dwBias[k];
  }
  return acc;
}
