// Standard and grouped convolution as an implicit GEMM: row = output pixel
// (n, oy, ox), k = filter tap (i, j, ci) in HWIO order, A[row, k] gathered from
// the NHWC input x on the fly (zero outside it): the A loader of gemm_tiled.wgsl
// for the tiled conv2d (src/kernels/conv2d/tiled.ts).

fn loadA(g: u32, row: u32, k: u32) -> f32 {
  let at = outputPixel(row);
  let n = at.x;
  let oy = at.y;
  let ox = at.z;
  let ci = k % params.cinG;
  let tap = k / params.cinG;
  let j = tap % params.kW;
  let i = tap / params.kW;
  let iy = i32(oy * params.strideH + i * params.dilationH) - i32(params.padTop);
  let ix = i32(ox * params.strideW + j * params.dilationW) - i32(params.padLeft);
  if (iy < 0 || iy >= i32(params.inH) || ix < 0 || ix >= i32(params.inW)) {
    return 0.0;
  }
  return x[((n * params.inH + u32(iy)) * params.inW + u32(ix)) * params.inC + g * params.cinG + ci - params.xOrigin];
}
