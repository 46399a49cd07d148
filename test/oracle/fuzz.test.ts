// Property-based verification over random valid configurations (fast-check):
//   our CPU backend  vs  TF.js's CPU backend (the independent oracle), and
//   our GPU backend  vs  our CPU backend,
// for conv2d (standard, grouped, and the depthwise/pointwise routes), depthwise,
// pointwise and separable, with every activation, on every GPU kernel variant. Fixed seed (override with
// SEPCONV_FUZZ_SEED); a failure prints the shrunk configuration.
//
// Tolerances:
// - CPU vs TF.js: |ours − ref| ≤ 1e-4 + 1e-3·|ref|. TF.js sums in f32 (error up to
//   n·2^-24·Σ|x·w| with n ≤ 7·7·4 = 196 terms, Σ|x·w| ≤ 196 for data in [-1, 1]: ≤ 2.3e-3
//   in the very worst case, typically ~1e-6), ours in f64.
// - GPU vs CPU: 1e-5·Σ|x·w| + 1e-6 per element (see test/support/compare.ts), doubled
//   for separable (two chained sums), plus 4e-6 absolute for the activations built on
//   exp/tanh, whose WGSL accuracy is a few ULP of values ≤ 1 in magnitude.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { ACTIVATIONS, createEngine, type Activation, type Engine, type KernelChoice, type PaddingOption } from '../../src/index.js';
import { CHOOSABLE_OPS, tunableOption, variantsOf } from '../../src/kernels/registry.js';
import '../support/setup.js';
import { abs } from '../support/compare.js';
import { randomData } from '../support/random.js';
import { oracleConv2d, oracleDepthwise, oraclePointwise, oracleSeparable, type Spatial } from './tfjs.js';

const SEED = Number(process.env.SEPCONV_FUZZ_SEED ?? 20261127);
// Every GPU kernel variant in the registry is forced on every configuration it can
// run, not only the ones the engine's kernel choice picks ('auto'), and every
// tunable at its edge values (src/kernels/registry.ts): a new variant is fuzzed
// without touching this file. The edge values of a tunable take turns, one per
// configuration (chosen by its seed), and (but for the strip property, which is
// about them) run on the configurations with a linear or relu6 activation only:
// they test a kernel's index arithmetic, which the activation does not touch,
// and every activation is a new pipeline to compile (~0.25 s each here).
const VARIANTS: Record<string, KernelChoice> = { auto: {} };
// 'auto' always equals one forced variant at its default tunables; it stays where a
// property's forced list would not otherwise include the engine's own choice.
const RELEVANT: Record<string, (string | string[])[]> = { conv2d: [], depthwise: [], depthwiseStrips: ['auto', 'depthwise vec4'], pointwise: [], separable: [] };
for (const op of CHOOSABLE_OPS) {
  for (const v of variantsOf(op)) {
    const name = `${op} ${v.name}`;
    VARIANTS[name] = { [op]: v.name };
    RELEVANT[op]!.push(name);
    for (const [tunable, spec] of Object.entries(v.tunables as Record<string, { edgeValues: readonly number[] }>)) {
      const option = tunableOption(op, tunable);
      if (Object.keys(VARIANTS).some((k) => k.startsWith(`${op} ${option} `))) continue;
      const group = spec.edgeValues.map((value) => {
        const tname = `${op} ${option} ${value}`;
        // The first variant with the tunable, forced; for the depthwise strips the shape picks 3×3 or 5×5.
        VARIANTS[tname] = { ...(op !== 'depthwise' && { [op]: v.name }), [option]: value };
        return tname;
      });
      RELEVANT[op === 'depthwise' ? 'depthwiseStrips' : op]!.push(group);
    }
  }
}
// The scalar depthwise kernel under conv2d (groups = Cin), and the unfused separable path on it.
RELEVANT.conv2d!.push('depthwise scalar');
VARIANTS['separable unfused, depthwise scalar'] = { separable: 'unfused', depthwise: 'scalar' };
RELEVANT.separable!.push('separable unfused, depthwise scalar');
const gpus: Record<string, Engine> = {};
let cpu: Engine;
beforeAll(async () => {
  for (const [name, kernels] of Object.entries(VARIANTS)) gpus[name] = await createEngine({ backend: 'webgpu', kernels });
  cpu = await createEngine({ backend: 'cpu' });
});
afterAll(() => {
  Object.values(gpus).forEach((e) => e.destroy());
  cpu?.destroy();
});

const TUNABLE_ACTIVATIONS = new Set<Activation>(['linear', 'relu6']);

/** Runs `run` on each GPU variant relevant to `op` (one member of each tunable's group, by the seed). */
async function onGpus(op: string, c: Common, run: (e: Engine) => Promise<Float32Array>): Promise<[string, Float32Array][]> {
  const out: [string, Float32Array][] = [];
  for (const entry of RELEVANT[op]!) {
    if (typeof entry !== 'string' && op !== 'depthwiseStrips' && !TUNABLE_ACTIVATIONS.has(c.activation)) continue;
    const name = typeof entry === 'string' ? entry : (entry[c.seed % entry.length] as string);
    out.push([name, await run(gpus[name] as Engine)]);
  }
  return out;
}

interface Common {
  n: number;
  h: number;
  w: number;
  k: [number, number];
  stride: [number, number];
  dilation: [number, number];
  padding: PaddingOption;
  activation: Activation;
  alpha: number;
  bias: boolean;
  seed: number;
}

const paddingArb: fc.Arbitrary<PaddingOption> = fc.oneof(
  fc.constant('same' as const),
  fc.constant('valid' as const),
  fc.integer({ min: 0, max: 3 }),
  fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3), fc.nat(3)),
);

/** Output is non-empty iff the dilated kernel fits in the padded input (TF rule; 'same' always fits). */
function fits(c: Common): boolean {
  if (c.padding === 'same') return true;
  const [t, b, l, r] =
    c.padding === 'valid' ? [0, 0, 0, 0] : typeof c.padding === 'number' ? [c.padding, c.padding, c.padding, c.padding] : c.padding;
  return (c.k[0] - 1) * c.dilation[0] + 1 <= c.h + t + b && (c.k[1] - 1) * c.dilation[1] + 1 <= c.w + l + r;
}

const commonArb: fc.Arbitrary<Common> = fc
  .record({
    n: fc.integer({ min: 1, max: 3 }),
    h: fc.integer({ min: 1, max: 30 }),
    w: fc.integer({ min: 1, max: 30 }),
    k: fc.tuple(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 7 })),
    stride: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    dilation: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    padding: paddingArb,
    activation: fc.constantFrom(...ACTIVATIONS),
    alpha: fc.integer({ min: 1, max: 200 }).map((v) => v / 100),
    bias: fc.boolean(),
    seed: fc.nat(),
  })
  .filter(fits);

function spatial(c: Common): Spatial {
  return { stride: c.stride, dilation: c.dilation, padding: c.padding };
}

const TRANSCENDENTAL = new Set<Activation>(['sigmoid', 'tanh', 'elu', 'hardSwish']);

/** Asserts the three-way agreement; returns nothing, throws with the first bad element. */
function agree(ref: Float32Array, ours: Float32Array, gpuOuts: [string, Float32Array][], magnitude: Float32Array, c: Common, chain = 1) {
  expect(ours.length, 'output length vs TF.js').toBe(ref.length);
  const extra = TRANSCENDENTAL.has(c.activation) ? 4e-6 : 0;
  for (let i = 0; i < ref.length; i++) {
    const r = ref[i] as number;
    const o = ours[i] as number;
    if (!(Math.abs(o - r) <= 1e-4 + 1e-3 * Math.abs(r))) {
      throw new Error(`CPU vs TF.js at ${i}: ours ${o}, TF.js ${r}`);
    }
  }
  for (const [variant, gpuOut] of gpuOuts) {
    expect(gpuOut.length, `GPU (${variant}) output length`).toBe(ours.length);
    for (let i = 0; i < ref.length; i++) {
      const o = ours[i] as number;
      const g = gpuOut[i] as number;
      const tol = chain * (1e-6 + 1e-5 * (magnitude[i] as number)) + extra;
      if (!(Math.abs(g - o) <= tol)) throw new Error(`GPU (${variant}) vs CPU at ${i}: GPU ${g}, CPU ${o}, tol ${tol}`);
    }
  }
}

// Several GPU variants per configuration: allow each property a few minutes.
vi.setConfig({ testTimeout: 600_000 });

// SEPCONV_FUZZ_SCALE scales the number of configurations (the unclamped rerun uses half).
const SCALE = Number(process.env.SEPCONV_FUZZ_SCALE ?? 1);

function runs(n: number): fc.Parameters<unknown> {
  return { seed: SEED, numRuns: Math.max(1, Math.round(n * SCALE)), endOnFailure: false };
}

describe('fuzz: ours vs TF.js (CPU) and GPU vs CPU', () => {
  test('conv2d: standard, grouped, depthwise and pointwise routes (160 configurations)', async () => {
    const arb = fc.record({
      c: commonArb,
      groups: fc.integer({ min: 1, max: 4 }),
      cinPerGroup: fc.integer({ min: 1, max: 4 }),
      coutPerGroup: fc.constantFrom(1, 2, 3, 4, 8),
    });
    await fc.assert(
      fc.asyncProperty(arb, async ({ c, groups, cinPerGroup, coutPerGroup }) => {
        const cin = groups * cinPerGroup;
        const cout = groups * coutPerGroup;
        const xShape = [c.n, c.h, c.w, cin] as [number, number, number, number];
        const fShape = [c.k[0], c.k[1], cinPerGroup, cout] as [number, number, number, number];
        const x = randomData(xShape.reduce((a, b) => a * b), c.seed);
        const f = randomData(fShape.reduce((a, b) => a * b), c.seed + 1);
        const bias = c.bias ? randomData(cout, c.seed + 2) : null;
        const run = (e: Engine, xs: Float32Array, fs: Float32Array, bs: Float32Array | null, act: Activation) =>
          e
            .conv2d(e.tensor(xs, xShape), e.tensor(fs, fShape), {
              stride: c.stride,
              dilation: c.dilation,
              padding: c.padding,
              groups,
              activation: act,
              alpha: c.alpha,
              ...(bs && { bias: e.tensor(bs, [cout]) }),
            })
            .read();
        const ref = oracleConv2d({ x, xShape, filter: f, filterShape: fShape, bias, activation: c.activation, alpha: c.alpha }, spatial(c), groups);
        agree(ref, await run(cpu, x, f, bias, c.activation), await onGpus('conv2d', c, (g) => run(g, x, f, bias, c.activation)), await run(cpu, abs(x), abs(f), bias && abs(bias), 'linear'), c);
      }),
      runs(160),
    );
  });

  const depthwiseProperty = (arb: fc.Arbitrary<{ c: Common; channels: number; m: number }>, variants: string) =>
    fc.asyncProperty(arb, async ({ c, channels, m }) => {
      const xShape = [c.n, c.h, c.w, channels] as [number, number, number, number];
      const fShape = [c.k[0], c.k[1], channels, m] as [number, number, number, number];
      const x = randomData(xShape.reduce((a, b) => a * b), c.seed);
      const f = randomData(fShape.reduce((a, b) => a * b), c.seed + 1);
      const bias = c.bias ? randomData(channels * m, c.seed + 2) : null;
      const run = (e: Engine, xs: Float32Array, fs: Float32Array, bs: Float32Array | null, act: Activation) =>
        e
          .depthwiseConv2d(e.tensor(xs, xShape), e.tensor(fs, fShape), {
            stride: c.stride,
            dilation: c.dilation,
            padding: c.padding,
            activation: act,
            alpha: c.alpha,
            ...(bs && { bias: e.tensor(bs, [channels * m]) }),
          })
          .read();
      const ref = oracleDepthwise({ x, xShape, filter: f, filterShape: fShape, bias, activation: c.activation, alpha: c.alpha }, spatial(c));
      agree(ref, await run(cpu, x, f, bias, c.activation), await onGpus(variants, c, (g) => run(g, x, f, bias, c.activation)), await run(cpu, abs(x), abs(f), bias && abs(bias), 'linear'), c);
    });

  test('depthwiseConv2d (150 configurations)', async () => {
    const arb = fc.record({ c: commonArb, channels: fc.integer({ min: 1, max: 9 }), m: fc.integer({ min: 1, max: 4 }) });
    await fc.assert(depthwiseProperty(arb, 'depthwise'), runs(150));
  });

  test('depthwiseConv2d, shapes the 3×3 and 5×5 strip kernels run: strips across images and borders (60 configurations)', async () => {
    // 3×3 with stride 1 or 2, or 5×5 with stride 1; dilation 1, C·M divisible by 4;
    // up to 40 rows so strips of 16 split.
    const arb = fc
      .record({
        c: commonArb,
        h: fc.integer({ min: 1, max: 40 }),
        k: fc.constantFrom(3, 5),
        stride: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
        c4: fc.integer({ min: 1, max: 3 }),
        m: fc.constantFrom(1, 2, 4),
      })
      .map(({ c, h, k, stride, c4, m }) => ({
        c: { ...c, h, stride: k === 5 ? ([1, 1] as [number, number]) : stride, k: [k, k] as [number, number], dilation: [1, 1] as [number, number] },
        channels: (4 * c4) / m,
        m,
      }))
      .filter(({ c }) => fits(c));
    await fc.assert(depthwiseProperty(arb, 'depthwiseStrips'), runs(60));
  });

  test('pointwiseConv2d (90 configurations)', async () => {
    const arb = fc.record({ c: commonArb, cin: fc.integer({ min: 1, max: 70 }), cout: fc.integer({ min: 1, max: 70 }) });
    await fc.assert(
      fc.asyncProperty(arb, async ({ c, cin, cout }) => {
        const xShape = [c.n, c.h, c.w, cin] as [number, number, number, number];
        const x = randomData(xShape.reduce((a, b) => a * b), c.seed);
        const f = randomData(cin * cout, c.seed + 1);
        const bias = c.bias ? randomData(cout, c.seed + 2) : null;
        const run = (e: Engine, xs: Float32Array, fs: Float32Array, bs: Float32Array | null, act: Activation) =>
          e
            .pointwiseConv2d(e.tensor(xs, xShape), e.tensor(fs, [cin, cout]), {
              activation: act,
              alpha: c.alpha,
              ...(bs && { bias: e.tensor(bs, [cout]) }),
            })
            .read();
        const ref = oraclePointwise({ x, xShape, filter: f, filterShape: [cin, cout], bias, activation: c.activation, alpha: c.alpha });
        agree(ref, await run(cpu, x, f, bias, c.activation), await onGpus('pointwise', c, (g) => run(g, x, f, bias, c.activation)), await run(cpu, abs(x), abs(f), bias && abs(bias), 'linear'), c);
      }),
      runs(90),
    );
  });

  test('separableConv2d (110 configurations)', async () => {
    const arb = fc.record({
      c: commonArb,
      channels: fc.integer({ min: 1, max: 8 }),
      m: fc.integer({ min: 1, max: 4 }),
      cout: fc.integer({ min: 1, max: 12 }),
      depthwiseBias: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(arb, async ({ c, channels, m, cout, depthwiseBias }) => {
        const mid = channels * m;
        const xShape = [c.n, c.h, c.w, channels] as [number, number, number, number];
        const fShape = [c.k[0], c.k[1], channels, m] as [number, number, number, number];
        const x = randomData(xShape.reduce((a, b) => a * b), c.seed);
        const f = randomData(fShape.reduce((a, b) => a * b), c.seed + 1);
        const pw = randomData(mid * cout, c.seed + 2);
        const dwb = depthwiseBias ? randomData(mid, c.seed + 3) : null;
        const bias = c.bias ? randomData(cout, c.seed + 4) : null;
        const run = (e: Engine, data: (Float32Array | null)[], act: Activation) => {
          const [xs, fs, ps, ds, bs] = data as [Float32Array, Float32Array, Float32Array, Float32Array | null, Float32Array | null];
          return e
            .separableConv2d(e.tensor(xs, xShape), e.tensor(fs, fShape), e.tensor(ps, [mid, cout]), {
              stride: c.stride,
              dilation: c.dilation,
              padding: c.padding,
              activation: act,
              alpha: c.alpha,
              ...(ds && { depthwiseBias: e.tensor(ds, [mid]) }),
              ...(bs && { bias: e.tensor(bs, [cout]) }),
            })
            .read();
        };
        const data = [x, f, pw, dwb, bias];
        const ref = oracleSeparable(
          { x, xShape, filter: f, filterShape: fShape, pointwise: pw, pointwiseShape: [mid, cout], depthwiseBias: dwb, bias, activation: c.activation, alpha: c.alpha },
          spatial(c),
        );
        const magnitude = await run(cpu, data.map((d) => d && abs(d)), 'linear');
        agree(ref, await run(cpu, data, c.activation), await onGpus('separable', c, (g) => run(g, data, c.activation)), magnitude, c, 2);
      }),
      runs(110),
    );
  });
});
