// Pointwise (1×1) convolution as a GEMM without workgroup memory, for K and N
// divisible by 4: each invocation computes an 8-row × 8-column block of
// y[M, N] = x[M, K] · w[K, N] (two vec4 column groups), stepping along K four at
// a time with vec4 loads (8 of x, 8 of w per step for 256 multiply-adds: half the
// loads per multiply-add of pointwise_direct.wgsl's 4 × 4 block). No tiles and no barriers:
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
  let n8 = (n4 + 1u) / 2u;
  let k4 = params.K / 4u;
  let r0 = (id / n8) * 8u;
  if (r0 >= params.M) {
    return;
  }
  // Two column groups: c and c + 1 (the second clamped, and not stored, past N).
  let c = (id % n8) * 2u;
  let cb = min(c + 1u, n4 - 1u);
  let last = params.M - 1u;
  let xo = params.xOrigin / 4u;
  let rs = params.rowStart;
  let p0 = (rs + r0) * k4 - xo;
  let p1 = (rs + min(r0 + 1u, last)) * k4 - xo;
  let p2 = (rs + min(r0 + 2u, last)) * k4 - xo;
  let p3 = (rs + min(r0 + 3u, last)) * k4 - xo;
  let p4 = (rs + min(r0 + 4u, last)) * k4 - xo;
  let p5 = (rs + min(r0 + 5u, last)) * k4 - xo;
  let p6 = (rs + min(r0 + 6u, last)) * k4 - xo;
  let p7 = (rs + min(r0 + 7u, last)) * k4 - xo;
  var s0 = vec4f(0.0); var s1 = vec4f(0.0); var s2 = vec4f(0.0); var s3 = vec4f(0.0);
  var s4 = vec4f(0.0); var s5 = vec4f(0.0); var s6 = vec4f(0.0); var s7 = vec4f(0.0);
  var t0 = vec4f(0.0); var t1 = vec4f(0.0); var t2 = vec4f(0.0); var t3 = vec4f(0.0);
  var t4 = vec4f(0.0); var t5 = vec4f(0.0); var t6 = vec4f(0.0); var t7 = vec4f(0.0);
  for (var k = 0u; k < k4; k++) {
    let wr = 4u * k * n4;
    let u0 = w[wr + c];
    let u1 = w[wr + n4 + c];
    let u2 = w[wr + 2u * n4 + c];
    let u3 = w[wr + 3u * n4 + c];
    let v0 = w[wr + cb];
    let v1 = w[wr + n4 + cb];
    let v2 = w[wr + 2u * n4 + cb];
    let v3 = w[wr + 3u * n4 + cb];
    var xv = x[p0 + k]; s0 += xv.x * u0 + xv.y * u1 + xv.z * u2 + xv.w * u3; t0 += xv.x * v0 + xv.y * v1 + xv.z * v2 + xv.w * v3;
    xv = x[p1 + k]; s1 += xv.x * u0 + xv.y * u1 + xv.z * u2 + xv.w * u3; t1 += xv.x * v0 + xv.y * v1 + xv.z * v2 + xv.w * v3;
    xv = x[p2 + k]; s2 += xv.x * u0 + xv.y * u1 + xv.z * u2 + xv.w * u3; t2 += xv.x * v0 + xv.y * v1 + xv.z * v2 + xv.w * v3;
    xv = x[p3 + k]; s3 += xv.x * u0 + xv.y * u1 + xv.z * u2 + xv.w * u3; t3 += xv.x * v0 + xv.y * v1 + xv.z * v2 + xv.w * v3;
    xv = x[p4 + k]; s4 += xv.x * u0 + xv.y * u1 + xv.z * u2 + xv.w * u3; t4 += xv.x * v0 + xv.y * v1 + xv.z * v2 + xv.w * v3;
    xv = x[p5 + k]; s5 += xv.x * u0 + xv.y * u1 + xv.z * u2 + xv.w * u3; t5 += xv.x * v0 + xv.y * v1 + xv.z * v2 + xv.w * v3;
    xv = x[p6 + k]; s6 += xv.x * u0 + xv.y * u1 + xv.z * u2 + xv.w * u3; t6 += xv.x * v0 + xv.y * v1 + xv.z * v2 + xv.w * v3;
    xv = x[p7 + k]; s7 += xv.x * u0 + xv.y * u1 + xv.z * u2 + xv.w * u3; t7 += xv.x * v0 + xv.y * v1 + xv.z * v2 + xv.w * v3;
  }
  // The stores as a loop: 16 inlined copies of store() (bias, residual, activation,
  // bounds) would triple the shader's compile time on software adapters; GPU
  // compilers unroll the loop back and keep the array in registers.
  let sc = array<vec4f, 8>(s0, s1, s2, s3, s4, s5, s6, s7);
  let tc = array<vec4f, 8>(t0, t1, t2, t3, t4, t5, t6, t7);
  for (var i = 0u; i < 8u; i++) {
    store(r0 + i, c, sc[i]);
  }
  if (c + 1u < n4) {
    for (var i = 0u; i < 8u; i++) {
      store(r0 + i, c + 1u, tc[i]);
    }
  }
}
