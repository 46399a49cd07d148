// Pointwise (1×1) convolution as a GEMM without workgroup memory, for K and N
// divisible by 4: each invocation computes a 4-row × 4-column block of
// y[M, N] = x[M, K] · w[K, N], stepping along K four at a time with vec4 loads
// (4 of x, 4 of w per step for 64 multiply-adds). No tiles and no barriers:
// on adapters whose "workgroup memory" is ordinary memory (CPU-based ones such
// as SwiftShader) staging only adds copies and barrier costs. The engine picks
// it there; the tiled kernel elsewhere.
//
// A dispatch covers rows [rowStart, rowStart + M); x and y are bound from elements
// xOrigin / yOrigin on (multiples of 64) when split into bands.
// Contract, bindings and uniforms: src/kernels/pointwise/direct.ts; store() comes
// from pointwise_direct_store.wgsl.

fn run(id: u32) {
  let n4 = params.N / 4u;
  let k4 = params.K / 4u;
  let r0 = (id / n4) * 4u;
  if (r0 >= params.M) {
    return;
  }
  let c4 = id % n4;
  // Rows past M re-read the last row (in bounds) and are not stored.
  let last = params.M - 1u;
  let xo = params.xOrigin / 4u;
  let a0 = (params.rowStart + r0) * k4 - xo;
  let a1 = (params.rowStart + min(r0 + 1u, last)) * k4 - xo;
  let a2 = (params.rowStart + min(r0 + 2u, last)) * k4 - xo;
  let a3 = (params.rowStart + min(r0 + 3u, last)) * k4 - xo;
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var k = 0u; k < k4; k++) {
    let b0 = w[(4u * k) * n4 + c4];
    let b1 = w[(4u * k + 1u) * n4 + c4];
    let b2 = w[(4u * k + 2u) * n4 + c4];
    let b3 = w[(4u * k + 3u) * n4 + c4];
    let x0 = x[a0 + k];
    let x1 = x[a1 + k];
    let x2 = x[a2 + k];
    let x3 = x[a3 + k];
    acc0 += x0.x * b0 + x0.y * b1 + x0.z * b2 + x0.w * b3;
    acc1 += x1.x * b0 + x1.y * b1 + x1.z * b2 + x1.w * b3;
    acc2 += x2.x * b0 + x2.y * b1 + x2.z * b2 + x2.w * b3;
    acc3 += x3.x * b0 + x3.y * b1 + x3.z * b2 + x3.w * b3;
  }
  store(r0, c4, acc0);
  store(r0 + 1u, c4, acc1);
  store(r0 + 2u, c4, acc2);
  store(r0 + 3u, c4, acc3);
}
