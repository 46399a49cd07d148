// The WebAssembly SIMD pointwise GEMM (src/wasm/pointwise.ts, issue 15) against the
// CPU reference on shapes that reach every path of the generated code: row blocks
// with 1–3 rows left over, full panels and tail panels of 1–7 columns, K from 1, both loop orders,
// bias, residual and the fused activations (NaN and infinities included).
import { describe, expect, test } from 'vitest';
import { resolveActivation } from '../../src/activation.js';
import { pointwiseConv2dCpu } from '../../src/cpu/pointwise.js';
import { simdSupported } from '../../src/wasm/emit.js';
import { emitPointwise, packPointwiseWeights, panelsOuter, type FusedActivation } from '../../src/wasm/pointwise.js';
import { KernelCache, WasmHeap } from '../../src/wasm/runtime.js';
import { randomData } from '../support/random.js';

/** Runs the generated kernel on the inputs; returns y. */
function runWasm(heap: WasmHeap, cache: KernelCache, x: Float32Array, w: Float32Array, bias: Float32Array | null, residual: Float32Array | null, M: number, K: number, N: number, activation: FusedActivation): Float32Array {
  const packed = packPointwiseWeights(w, K, N, bias);
  const blocks = [x, packed.weights, packed.bias ?? new Float32Array(0), residual ?? new Float32Array(0), new Float32Array(M * N)].map((a) => {
    const b = heap.alloc(a.length * 4);
    heap.f32(b, a.length).set(a);
    return { b, n: a.length };
  });
  const { run } = cache.get(`${K},${N},${activation},${!!bias},${!!residual}`, (memory) => emitPointwise({ K, N, activation, bias: !!bias, residual: !!residual }, memory));
  run(...blocks.map((x) => x.b.offset), 0, M);
  const y = blocks[4] as { b: { offset: number; bytes: number }; n: number };
  const out = heap.f32(y.b, y.n).slice();
  for (const { b } of blocks) heap.release(b);
  return out;
}

/** f32 sums of K products against the reference's float64 sum: K·2^-24 of the summed magnitudes. */
function expectClose(got: Float32Array, want: Float32Array, bound: Float32Array, K: number, what: string) {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const g = got[i] as number;
    const e = want[i] as number;
    if (Number.isNaN(e)) {
      expect(Number.isNaN(g), `${what} [${i}]: ${g} for NaN`).toBe(true);
      continue;
    }
    if (!Number.isFinite(e)) {
      expect(g, `${what} [${i}]`).toBe(e);
      continue;
    }
    const tol = (K + 2) * 2 ** -23 * (bound[i] as number) + 1e-30;
    if (Math.abs(g - e) > tol) throw new Error(`${what} [${i}]: ${g} vs ${e} (tolerance ${tol})`);
  }
}

describe('wasm SIMD pointwise GEMM', () => {
  test('this Node validates 128-bit SIMD modules', () => {
    expect(simdSupported()).toBe(true);
  });

  test('every row and column tail, K from 1, bias, residual, linear/relu/relu6, against the reference', () => {
    const heap = new WasmHeap();
    const cache = new KernelCache(heap);
    const shapes: [number, number, number][] = [
      [1, 1, 1], [4, 8, 8], [5, 3, 9], [7, 16, 15], [13, 33, 24], [2, 70, 1], [11, 5, 65], [64, 32, 32], [3, 96, 21],
      // Weights over 32 KiB: the panels-outside loop order, full panels and a tail of 5.
      [9, 130, 72], [6, 150, 61],
    ];
    let seed = 1;
    for (const [M, K, N] of shapes) {
      for (const activation of ['linear', 'relu', 'relu6'] as const) {
        for (const [withBias, withResidual] of [[false, false], [true, false], [true, true], [false, true]] as const) {
          const x = randomData(M * K, seed++).map((v) => v * 4);
          const w = randomData(K * N, seed++);
          const bias = withBias ? randomData(N, seed++) : null;
          const residual = withResidual ? randomData(M * N, seed++).map((v) => v * 3) : null;
          const act = resolveActivation('pointwiseConv2d', activation, undefined);
          const p = { pixels: M, inChannels: K, outChannels: N, act };
          const want = pointwiseConv2dCpu(x, w, bias, p, residual);
          const bound = pointwiseConv2dCpu(x.map(Math.abs), w.map(Math.abs), bias && bias.map(Math.abs), { ...p, act: resolveActivation('pointwiseConv2d', 'linear', undefined) }, residual && residual.map(Math.abs));
          const got = runWasm(heap, cache, x, w, bias, residual, M, K, N, activation);
          expectClose(got, want, bound, K, `M=${M} K=${K} N=${N} ${activation} bias=${withBias} residual=${withResidual}`);
        }
      }
    }
    // Both loop orders were generated.
    expect(shapes.some(([, K, N]) => panelsOuter(K, N))).toBe(true);
    expect(shapes.some(([, K, N]) => !panelsOuter(K, N))).toBe(true);
    // One module per specialisation, reused across calls.
    expect(cache.size).toBe(shapes.length * 3 * 4);
  });

  test('NaN and infinities go through as in the reference', () => {
    const heap = new WasmHeap();
    const cache = new KernelCache(heap);
    const M = 6, K = 4, N = 10;
    const x = randomData(M * K, 7);
    x[0] = NaN;
    x[K * 2 + 1] = Infinity;
    x[K * 5] = -Infinity;
    const w = randomData(K * N, 8).map((v) => Math.abs(v) + 0.1);
    for (const activation of ['linear', 'relu', 'relu6'] as const) {
      const act = resolveActivation('pointwiseConv2d', activation, undefined);
      const want = pointwiseConv2dCpu(x, w, null, { pixels: M, inChannels: K, outChannels: N, act });
      const bound = pointwiseConv2dCpu(x.map(Math.abs), w, null, { pixels: M, inChannels: K, outChannels: N, act: resolveActivation('pointwiseConv2d', 'linear', undefined) });
      expectClose(runWasm(heap, cache, x, w, null, null, M, K, N, activation), want, bound, K, activation);
    }
  });
});
