// The fast CPU kernels (src/cpu) against deliberately naive loops written here straight
// from the definitions: one output at a time, every tap tested against the input bounds.
//
// Exact equality (Object.is per element, so NaN, ±Inf and −0 count): both sides form each
// float64 sum in the same order (bias or 0 first, then i ascending, j ascending, ci or k
// ascending, padding taps skipped), every float32 × float32 product is exact in float64,
// and the same activation formula is applied to the same float64 sum before the one
// rounding to float32. So any difference is a bug in the tiling, the tap ranges, the
// remainder paths or the indexing, never rounding. No tolerance is needed anywhere.
import { describe, expect, test } from 'vitest';
import type { Activation, ActivationSpec } from '../../src/activation.js';
import { ACTIVATIONS } from '../../src/activation.js';
import type { Conv2dParams, DepthwiseConv2dParams, PointwiseConv2dParams } from '../../src/backend.js';
import { conv2dCpu } from '../../src/cpu/conv2d.js';
import { depthwiseConv2dCpu } from '../../src/cpu/depthwise.js';
import { pointwiseConv2dCpu } from '../../src/cpu/pointwise.js';
import { sameTaps, tapRanges } from '../../src/cpu/taps.js';
import { mulberry32 } from '../../src/random.js';
import { convGeometry, type PaddingOption, type PairOption } from '../../src/shape.js';

// ---------- naive references, from the definitions ----------

function naiveAct({ activation, alpha, beta }: ActivationSpec, v: number): number {
  const relu6 = (u: number) => (u < 0 ? 0 : u > 6 ? 6 : u);
  switch (activation) {
    case 'linear':
      return v;
    case 'relu':
      return v < 0 ? 0 : v;
    case 'relu6':
      return relu6(v);
    case 'leakyRelu':
      return v < 0 ? alpha * v : v;
    case 'sigmoid':
      return 1 / (1 + Math.exp(-v));
    case 'tanh':
      return Math.tanh(v);
    case 'hardSwish':
      return (v * relu6(v + 3)) / 6;
    case 'elu':
      return v < 0 ? alpha * Math.expm1(v) : v;
    case 'clip':
      return Math.min(Math.max(v, alpha), beta);
    case 'hardSigmoid':
      return Math.max(0, Math.min(1, alpha * v + beta));
  }
}

function naiveDepthwise(x: Float32Array, w: Float32Array, bias: Float32Array | null, p: DepthwiseConv2dParams): Float32Array {
  const { batch: N, inH, inW, channels: C, multiplier: M, kH, kW, outH, outW } = p;
  const y = new Float32Array(N * outH * outW * C * M);
  for (let n = 0; n < N; n++)
    for (let oy = 0; oy < outH; oy++)
      for (let ox = 0; ox < outW; ox++)
        for (let c = 0; c < C; c++)
          for (let m = 0; m < M; m++) {
            let s = bias ? bias[c * M + m]! : 0;
            for (let i = 0; i < kH; i++)
              for (let j = 0; j < kW; j++) {
                const iy = oy * p.strideH - p.pad.top + i * p.dilationH;
                const ix = ox * p.strideW - p.pad.left + j * p.dilationW;
                if (iy < 0 || iy >= inH || ix < 0 || ix >= inW) continue; // padding
                s += x[((n * inH + iy) * inW + ix) * C + c]! * w[((i * kW + j) * C + c) * M + m]!;
              }
            y[((n * outH + oy) * outW + ox) * C * M + c * M + m] = naiveAct(p.act, s);
          }
  return y;
}

function naivePointwise(x: Float32Array, w: Float32Array, bias: Float32Array | null, p: PointwiseConv2dParams): Float32Array {
  const { pixels, inChannels: K, outChannels: N } = p;
  const y = new Float32Array(pixels * N);
  for (let r = 0; r < pixels; r++)
    for (let o = 0; o < N; o++) {
      let s = bias ? bias[o]! : 0;
      for (let k = 0; k < K; k++) s += x[r * K + k]! * w[k * N + o]!;
      y[r * N + o] = naiveAct(p.act, s);
    }
  return y;
}

function naiveConv2d(x: Float32Array, w: Float32Array, bias: Float32Array | null, p: Conv2dParams): Float32Array {
  const { batch: N, inH, inW, inChannels: C, outChannels: O, groups, kH, kW, outH, outW } = p;
  const cg = C / groups;
  const og = O / groups;
  const y = new Float32Array(N * outH * outW * O);
  for (let n = 0; n < N; n++)
    for (let oy = 0; oy < outH; oy++)
      for (let ox = 0; ox < outW; ox++)
        for (let o = 0; o < O; o++) {
          const g = Math.floor(o / og);
          let s = bias ? bias[o]! : 0;
          for (let i = 0; i < kH; i++)
            for (let j = 0; j < kW; j++) {
              const iy = oy * p.strideH - p.pad.top + i * p.dilationH;
              const ix = ox * p.strideW - p.pad.left + j * p.dilationW;
              if (iy < 0 || iy >= inH || ix < 0 || ix >= inW) continue; // padding
              for (let ci = 0; ci < cg; ci++) {
                s += x[((n * inH + iy) * inW + ix) * C + g * cg + ci]! * w[((i * kW + j) * cg + ci) * O + o]!;
              }
            }
          y[((n * outH + oy) * outW + ox) * O + o] = naiveAct(p.act, s);
        }
  return y;
}

// ---------- data ----------

/** Values in [-2, 2), and with `special`, about 3% NaN, ±Inf, 0 or −0. */
function values(n: number, rand: () => number, special = false): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = rand() * 4 - 2;
    if (special && rand() < 0.03) a[i] = [NaN, Infinity, -Infinity, 0, -0][Math.floor(rand() * 5)]!;
  }
  return a;
}

/** Index of the first element that differs (Object.is), or -1. */
function firstDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

function expectIdentical(got: Float32Array, want: Float32Array, what: string): void {
  const i = firstDifference(got, want);
  expect(i, `${what}: first difference at ${i}: got ${got[i]}, want ${want[i]} (lengths ${got.length}, ${want.length})`).toBe(-1);
}

interface Spatial {
  input: [number, number, number]; // [N, H, W]
  kernel: [number, number];
  stride?: PairOption;
  dilation?: PairOption;
  padding?: PaddingOption;
}

const linear: ActivationSpec = { activation: 'linear', alpha: 0, beta: 0 };

function depthwiseCase(s: Spatial, C: number, M: number, opts: { bias?: boolean; act?: ActivationSpec; special?: boolean; seed?: number } = {}) {
  const rand = mulberry32(opts.seed ?? 1);
  const g = convGeometry('test', s.input, s.kernel[0], s.kernel[1], s);
  const p: DepthwiseConv2dParams = { ...g, channels: C, multiplier: M, act: opts.act ?? linear };
  const x = values(g.batch * g.inH * g.inW * C, rand, opts.special);
  const w = values(g.kH * g.kW * C * M, rand, opts.special);
  const b = opts.bias ? values(C * M, rand, opts.special) : null;
  expectIdentical(depthwiseConv2dCpu(x, w, b, p), naiveDepthwise(x, w, b, p), `depthwise ${JSON.stringify({ ...s, C, M })}`);
}

function conv2dCase(s: Spatial, C: number, O: number, groups: number, opts: { bias?: boolean; act?: ActivationSpec; special?: boolean; seed?: number } = {}) {
  const rand = mulberry32(opts.seed ?? 2);
  const g = convGeometry('test', s.input, s.kernel[0], s.kernel[1], s);
  const p: Conv2dParams = { ...g, inChannels: C, outChannels: O, groups, act: opts.act ?? linear };
  const x = values(g.batch * g.inH * g.inW * C, rand, opts.special);
  const w = values(g.kH * g.kW * (C / groups) * O, rand, opts.special);
  const b = opts.bias ? values(O, rand, opts.special) : null;
  expectIdentical(conv2dCpu(x, w, b, p), naiveConv2d(x, w, b, p), `conv2d ${JSON.stringify({ ...s, C, O, groups })}`);
}

function pointwiseCase(rows: number, K: number, N: number, opts: { bias?: boolean; act?: ActivationSpec; special?: boolean; seed?: number } = {}) {
  const rand = mulberry32(opts.seed ?? 3);
  const p: PointwiseConv2dParams = { pixels: rows, inChannels: K, outChannels: N, act: opts.act ?? linear };
  const x = values(rows * K, rand, opts.special);
  const w = values(K * N, rand, opts.special);
  const b = opts.bias ? values(N, rand, opts.special) : null;
  expectIdentical(pointwiseConv2dCpu(x, w, b, p), naivePointwise(x, w, b, p), `pointwise ${JSON.stringify({ rows, K, N })}`);
}

/**
 * Calls `run` on `count` seeded random geometries that fit (one whose kernel does not
 * fit is drawn again): batch 1–2, stride 1–3 per axis, the rest up to the given
 * maxima. `int(lo, hi)` and `rand()` draw more from the same stream; `i` counts the runs.
 */
function randomGeometries(
  seed: number,
  count: number,
  max: { h: number; w: number; kernel: number; dilation: [number, number]; pad: number },
  run: (s: Spatial, int: (lo: number, hi: number) => number, rand: () => number, i: number) => void,
): void {
  const rand = mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  for (let ran = 0; ran < count; ) {
    const s: Spatial = {
      input: [int(1, 2), int(1, max.h), int(1, max.w)],
      kernel: [int(1, max.kernel), int(1, max.kernel)],
      stride: [int(1, 3), int(1, 3)],
      dilation: [int(1, max.dilation[0]), int(1, max.dilation[1])],
      padding: [int(0, max.pad), int(0, max.pad), int(0, max.pad), int(0, max.pad)],
    };
    try {
      convGeometry('test', s.input, s.kernel[0], s.kernel[1], s);
    } catch {
      continue; // kernel does not fit
    }
    run(s, int, rand, ran++);
  }
}

// ---------- tap ranges ----------

describe('tapRanges / sameTaps', () => {
  test('match a per-tap bounds test, including outputs that read only padding', () => {
    for (let inSize = 1; inSize <= 7; inSize++)
      for (let k = 1; k <= 5; k++)
        for (let stride = 1; stride <= 3; stride++)
          for (let dilation = 1; dilation <= 3; dilation++)
            for (let pad = 0; pad <= 6; pad++) {
              const outSize = 9; // more outputs than fit: the last ones read only padding
              const r = tapRanges(outSize, inSize, k, stride, dilation, pad);
              for (let o = 0; o < outSize; o++) {
                const inside: number[] = [];
                for (let t = 0; t < k; t++) {
                  const c = o * stride - pad + t * dilation;
                  if (c >= 0 && c < inSize) inside.push(t);
                }
                const [lo, hi] = [r[2 * o]!, r[2 * o + 1]!];
                const got = Array.from({ length: Math.max(0, hi - lo) }, (_, q) => lo + q);
                expect(got, JSON.stringify({ inSize, k, stride, dilation, pad, o })).toEqual(inside);
              }
            }
  });

  test('sameTaps groups only columns that exist and read the same taps', () => {
    // in 5, k 3, pad 1: column 0 reads taps [1, 3), columns 1-3 [0, 3), column 4 [0, 2)
    const cols = tapRanges(5, 5, 3, 1, 1, 1);
    expect([...cols]).toEqual([1, 3, 0, 3, 0, 3, 0, 3, 0, 2]);
    expect(sameTaps(cols, 5, 0, 2)).toBe(false);
    expect(sameTaps(cols, 5, 1, 2)).toBe(true);
    expect(sameTaps(cols, 5, 1, 3)).toBe(true);
    expect(sameTaps(cols, 5, 1, 4)).toBe(false); // column 4 differs
    expect(sameTaps(cols, 5, 3, 2)).toBe(false);
    expect(sameTaps(cols, 5, 4, 2)).toBe(false); // runs past the row
    expect(sameTaps(cols, 5, 4, 1)).toBe(true);
  });
});

// ---------- depthwise ----------

describe('depthwiseConv2dCpu matches the naive loop exactly', () => {
  test.each<[string, Spatial]>([
    ["3×3 'same' stride 1 (pairs in the interior, singles at the edges)", { input: [1, 6, 9], kernel: [3, 3], padding: 'same' }],
    ['stride and dilation per axis, asymmetric padding', { input: [1, 7, 9], kernel: [3, 4], stride: [2, 3], dilation: [2, 1], padding: [3, 0, 1, 4] }],
    ['stride 2 with dilation 2 and odd widths', { input: [1, 9, 11], kernel: [3, 3], stride: 2, dilation: 2, padding: 'same' }],
    ['kernel larger than the input, padded', { input: [1, 2, 3], kernel: [5, 5], padding: [2, 2, 2, 2] }],
    ['padding so wide some outputs read only padding', { input: [1, 2, 2], kernel: [1, 1], padding: [2, 1, 3, 2] }],
    ['1×1', { input: [1, 5, 6], kernel: [1, 1] }],
    ['1-wide input and output', { input: [1, 5, 1], kernel: [3, 1], padding: 'same' }],
    ['batch 3', { input: [3, 4, 6], kernel: [3, 3], stride: [1, 2], padding: 'same' }],
  ])('%s', (_, s) => {
    for (const [C, M] of [[1, 1], [3, 1], [4, 1], [8, 1], [5, 1], [2, 2], [3, 3], [4, 4], [1, 5], [7, 2]] as const) {
      depthwiseCase(s, C, M, { bias: true });
      depthwiseCase(s, C, M, { bias: false, seed: 7 });
    }
  });

  test('every activation, with bias', () => {
    for (const activation of ACTIVATIONS as readonly Activation[]) {
      depthwiseCase({ input: [2, 5, 7], kernel: [3, 3], padding: 'same' }, 6, 2, { bias: true, act: { activation, alpha: 0.3, beta: 0.5 } });
    }
  });

  test('NaN, ±Inf, 0 and −0 propagate as in the naive loop', () => {
    for (let seed = 1; seed <= 20; seed++) {
      depthwiseCase({ input: [1, 5, 8], kernel: [3, 3], padding: 'same' }, 5, 2, { bias: seed % 2 === 0, special: true, seed });
    }
  });

  test('a NaN weight on a padding tap does not reach the output', () => {
    // 3×3 ones over a 3×3 input of ones, 'same': w[0, 0] = NaN only reaches the outputs
    // whose tap (0, 0) is inside, i.e. (1, 1), (1, 2), (2, 1), (2, 2).
    const g = convGeometry('test', [1, 3, 3], 3, 3, { padding: 'same' });
    const p: DepthwiseConv2dParams = { ...g, channels: 1, multiplier: 1, act: linear };
    const w = new Float32Array(9).fill(1);
    w[0] = NaN;
    const y = depthwiseConv2dCpu(new Float32Array(9).fill(1), w, null, p);
    expect([...y]).toEqual([4, 6, 4, 6, NaN, NaN, 4, NaN, NaN]);
  });

  test('random geometries (seeded)', () => {
    randomGeometries(42, 150, { h: 8, w: 10, kernel: 5, dilation: [3, 3], pad: 4 }, (s, int, rand, i) => {
      const act = { activation: ACTIVATIONS[int(0, ACTIVATIONS.length - 1)]!, alpha: 0.2, beta: 0.5 };
      depthwiseCase(s, int(1, 9), int(1, 4), { bias: rand() < 0.5, act, special: rand() < 0.3, seed: i });
    });
  });
});

// ---------- pointwise ----------

describe('pointwiseConv2dCpu matches the naive loop exactly', () => {
  test('rows and channels on and off the 4 × 4 tiles', () => {
    for (const rows of [1, 2, 3, 4, 5, 7, 8, 13]) {
      for (const [K, N] of [[1, 1], [1, 4], [3, 32], [5, 3], [8, 8], [7, 9], [16, 6], [2, 13]] as const) {
        pointwiseCase(rows, K, N, { bias: true });
        pointwiseCase(rows, K, N, { bias: false, seed: 11 });
      }
    }
  });

  test('every activation, with bias', () => {
    for (const activation of ACTIVATIONS as readonly Activation[]) {
      pointwiseCase(9, 6, 10, { bias: true, act: { activation, alpha: 0.3, beta: 0.5 } });
    }
  });

  test('NaN, ±Inf, 0 and −0 propagate as in the naive loop', () => {
    for (let seed = 1; seed <= 20; seed++) pointwiseCase(7, 9, 6, { bias: seed % 2 === 0, special: true, seed });
  });
});

// ---------- conv2d ----------

describe('conv2dCpu matches the naive loop exactly', () => {
  test.each<[string, Spatial]>([
    ["3×3 'same' stride 1 (quads in the interior, singles at the edges)", { input: [1, 5, 11], kernel: [3, 3], padding: 'same' }],
    ['stride and dilation per axis, asymmetric padding', { input: [1, 7, 10], kernel: [3, 4], stride: [2, 3], dilation: [2, 1], padding: [3, 0, 1, 4] }],
    ['kernel larger than the input, padded', { input: [1, 2, 3], kernel: [5, 5], padding: 'same' }],
    ['padding so wide some outputs read only padding', { input: [1, 2, 2], kernel: [1, 1], padding: [1, 2, 4, 1] }],
    ['1×1', { input: [1, 3, 9], kernel: [1, 1] }],
    ['batch 2, stride 2', { input: [2, 6, 9], kernel: [3, 3], stride: 2, padding: 'same' }],
    ['horizontal stride 2 and dilation 2 with quads in the interior', { input: [1, 3, 21], kernel: [2, 3], stride: [1, 2], dilation: [1, 2], padding: 'same' }],
  ])('%s', (_, s) => {
    for (const [C, O, groups] of [[1, 1, 1], [3, 4, 1], [3, 8, 1], [2, 5, 1], [4, 8, 2], [6, 6, 3], [6, 12, 3], [4, 10, 2], [5, 5, 5]] as const) {
      conv2dCase(s, C, O, groups, { bias: true });
      conv2dCase(s, C, O, groups, { bias: false, seed: 5 });
    }
  });

  test('every activation, with bias', () => {
    for (const activation of ACTIVATIONS as readonly Activation[]) {
      conv2dCase({ input: [1, 4, 9], kernel: [3, 3], padding: 'same' }, 4, 8, 2, { bias: true, act: { activation, alpha: 0.3, beta: 0.5 } });
    }
  });

  test('NaN, ±Inf, 0 and −0 propagate as in the naive loop', () => {
    for (let seed = 1; seed <= 20; seed++) {
      conv2dCase({ input: [1, 4, 9], kernel: [3, 3], padding: 'same' }, 4, 10, 2, { bias: seed % 2 === 0, special: true, seed });
    }
  });

  test('random geometries and groups (seeded)', () => {
    randomGeometries(43, 120, { h: 7, w: 11, kernel: 4, dilation: [2, 3], pad: 3 }, (s, int, rand, i) => {
      const groups = int(1, 3);
      const act = { activation: ACTIVATIONS[int(0, ACTIVATIONS.length - 1)]!, alpha: 0.2, beta: 0.5 };
      conv2dCase(s, groups * int(1, 4), groups * int(1, 9), groups, { bias: rand() < 0.5, act, special: rand() < 0.3, seed: i });
    });
  });
});
