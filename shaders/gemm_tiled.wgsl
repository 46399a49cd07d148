// Tiled GEMM core shared by the pointwise and the standard/grouped convolution:
//   y[row, g·N + col] = act(bias[g·N + col] + Σ_k A_g[row, k] · w[k, g·N + col])
// for groups g, rows < M, cols < N, k < K. The including kernel supplies the
// uniform `params` (with fields M, K, N, groups, outC, alpha, beta, rowStart, yOrigin;
// src/kernels/gemm-tiled.ts), the bindings w, bias, residual and y (arrays of
// f32) and `fn loadA(g: u32, row: u32, k: u32) -> f32`, called only for row < M
// and k < K: a plain matrix read for the pointwise conv (gemm_load_pointwise),
// an on-the-fly im2col gather for the implicit-GEMM conv (gemm_load_im2col: no
// im2col tensor is ever materialised), the depthwise output itself for the
// fused separable conv (gemm_load_depthwise: the intermediate tensor never
// exists in global memory).
//
// Each workgroup computes a TILE_M × TILE_N block of one group's output; each
// invocation a 4×4 sub-block held in four vec4 registers (named, not an array:
// Chrome spills small private arrays indexed in loops). Per step along K the
// workgroup stages a TILE_M × TILE_K slice of A and a TILE_K × TILE_N slice of w
// in workgroup memory, so each global value is read once per tile instead of
// once per output. Bias and activation are applied in the write.
//
// A dispatch covers rows [rowStart, rowStart + M) of the whole problem; for
// tensors larger than one binding the op runs in bands of rows
// (src/kernels/bands.ts), with y bound from element yOrigin on (and x from
// xOrigin, which loadA subtracts).

override TILE_M: u32 = 32u;
override TILE_N: u32 = 32u;
override TILE_K: u32 = 16u;
override HAS_BIAS: bool = false;
// Adds residual[row, col] (same shape and banding as y) before the activation.
override HAS_RESIDUAL: bool = false;

var<workgroup> tileA: array<f32, TILE_M * TILE_K>;
var<workgroup> tileB: array<f32, TILE_K * TILE_N>;

fn storeRow(g: u32, row: u32, col0: u32, v: vec4f) {
  if (row >= params.M) {
    return;
  }
  for (var c = 0u; c < 4u; c++) {
    let col = col0 + c;
    if (col < params.N) {
      let o = g * params.N + col;
      var s = v[c];
      if (HAS_BIAS) {
        s += bias[o];
      }
      let at = (params.rowStart + row) * params.outC + o - params.yOrigin;
      if (HAS_RESIDUAL) {
        s += residual[at];
      }
      y[at] = activate(s, params.alpha, params.beta);
    }
  }
}

@compute @workgroup_size(TILE_N / 4u, TILE_M / 4u)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_id) lid: vec3u,
  @builtin(local_invocation_index) lidx: u32,
) {
  let linear = wid.x + nwg.x * (wid.y + nwg.y * wid.z);
  let tilesN = (params.N + TILE_N - 1u) / TILE_N;
  let tilesM = (params.M + TILE_M - 1u) / TILE_M;
  let g = linear / (tilesM * tilesN);
  let tile = linear % (tilesM * tilesN);
  // Grid padding from dispatch folding; uniform across the workgroup.
  if (g >= params.groups) {
    return;
  }
  let rowBase = (tile / tilesN) * TILE_M;
  let colBase = (tile % tilesN) * TILE_N;
  let threads = (TILE_N / 4u) * (TILE_M / 4u);
  let r0 = lid.y * 4u;
  let c0 = lid.x * 4u;

  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);

  for (var k0 = 0u; k0 < params.K; k0 += TILE_K) {
    for (var e = lidx; e < TILE_M * TILE_K; e += threads) {
      let r = rowBase + e / TILE_K;
      let k = k0 + e % TILE_K;
      var v = 0.0;
      if (r < params.M && k < params.K) {
        v = loadA(g, r, k);
      }
      tileA[e] = v;
    }
    for (var e = lidx; e < TILE_K * TILE_N; e += threads) {
      let k = k0 + e / TILE_N;
      let col = colBase + e % TILE_N;
      var v = 0.0;
      if (k < params.K && col < params.N) {
        v = w[k * params.outC + g * params.N + col];
      }
      tileB[e] = v;
    }
    workgroupBarrier();
    for (var k = 0u; k < TILE_K; k++) {
      let b = vec4f(tileB[k * TILE_N + c0], tileB[k * TILE_N + c0 + 1u], tileB[k * TILE_N + c0 + 2u], tileB[k * TILE_N + c0 + 3u]);
      acc0 += tileA[(r0 + 0u) * TILE_K + k] * b;
      acc1 += tileA[(r0 + 1u) * TILE_K + k] * b;
      acc2 += tileA[(r0 + 2u) * TILE_K + k] * b;
      acc3 += tileA[(r0 + 3u) * TILE_K + k] * b;
    }
    workgroupBarrier();
  }

  let row = rowBase + r0;
  let col = colBase + c0;
  storeRow(g, row, col, acc0);
  storeRow(g, row + 1u, col, acc1);
  storeRow(g, row + 2u, col, acc2);
  storeRow(g, row + 3u, col, acc3);
}
