// GEMM row → output pixel for the A loaders that read an image: row `row` of a
// band is output pixel rowStart + row over all images, returned as (n, oy, ox).

fn outputPixel(row: u32) -> vec3u {
  let pixel = params.rowStart + row;
  let t = pixel / params.outW;
  return vec3u(t / params.outH, t % params.outH, pixel % params.outW);
}
