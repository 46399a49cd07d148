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
//   exp/tanh, whose WGSL accuracy is a few ULP of values ≤ 1 in magnitude. An activation
//   whose slope exceeds 1 (leakyRelu, elu, hardSigmoid with alpha > 1) scales the error
//   of the sum by up to alpha, so the bound is multiplied by max(1, alpha) for them;
//   hardSigmoid's own two roundings (of values ≤ 4 before it clamps to [0, 1]) are
//   within the 1e-6.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { ACTIVATIONS, createEngine, type Activation, type Engine, type KernelChoice, type PaddingOption } from '../../src/index.js';
import { CHOOSABLE_OPS, tunableOption, variantsOf } from '../../src/kernels/registry.js';
import { nchwToNhwc, nhwcToNchw, permute4 } from '../../bench/lib/layout.js';
import { pool2dParams } from '../../src/ops.js';
import { convGeometry } from '../../src/shape.js';
import '../support/setup.js';
import { abs } from '../support/compare.js';
import { randomData } from '../support/random.js';
import { oracleActivation, oracleBinary } from './tfjs.js';
import { oracleConcat, oracleConv2d, oracleDepthwise, oracleMatMul, oraclePad, oraclePointwise, oraclePool, oracleSeparable, type Spatial } from './tfjs.js';

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
const RELEVANT: Record<string, (string | string[])[]> = { conv2d: [], depthwise: [], depthwiseStrips: ['auto', 'depthwise vec4'], pointwise: [], separable: [], binary: [] };
for (const op of CHOOSABLE_OPS) {
  for (const v of variantsOf(op)) {
    const name = `${op} ${v.name}`;
    VARIANTS[name] = { [op]: v.name };
    (RELEVANT[op] ??= []).push(name);
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
/** The WebAssembly SIMD backend: held to the GPU's tolerance against the CPU reference (f32 sums, as the GPU's). */
let wasm: Engine;
beforeAll(async () => {
  for (const [name, kernels] of Object.entries(VARIANTS)) gpus[name] = await createEngine({ backend: 'webgpu', kernels });
  cpu = await createEngine({ backend: 'cpu' });
  wasm = await createEngine({ backend: 'wasm' });
});
afterAll(() => {
  Object.values(gpus).forEach((e) => e.destroy());
  cpu?.destroy();
  wasm?.destroy();
});

/**
 * The rerun with Dawn flags (`npm run test:unclamped`) checks the GPU without its robustness
 * clamps; the wasm backend does not depend on them, so it runs in the first run only.
 */
const WASM_TOO = process.env.SEPCONV_DAWN_FLAGS === undefined;

/** {@link onGpus}, then the same on the wasm backend (its kernels cover the ops of the properties that call this: the convolutions and pooling). */
async function onGpusAndWasm(op: string, c: Pick<Common, 'activation' | 'seed'>, run: (e: Engine) => Promise<Float32Array>): Promise<[string, Float32Array][]> {
  return [...(await onGpus(op, c, run)), ...(WASM_TOO ? [['wasm', await run(wasm)] as [string, Float32Array]] : [])];
}

const TUNABLE_ACTIVATIONS = new Set<Activation>(['linear', 'relu6']);

/** Runs `run` on each GPU variant relevant to `op` (one member of each tunable's group, by the seed). */
async function onGpus(op: string, c: Pick<Common, 'activation' | 'seed'>, run: (e: Engine) => Promise<Float32Array>): Promise<[string, Float32Array][]> {
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
  beta: number;
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
function fits(c: Pick<Common, 'h' | 'w' | 'k' | 'dilation' | 'padding'>): boolean {
  if (c.padding === 'same') return true;
  const [t, b, l, r] =
    c.padding === 'valid' ? [0, 0, 0, 0] : typeof c.padding === 'number' ? [c.padding, c.padding, c.padding, c.padding] : c.padding;
  return (c.k[0] - 1) * c.dilation[0] + 1 <= c.h + t + b && (c.k[1] - 1) * c.dilation[1] + 1 <= c.w + l + r;
}

/** An activation with its parameters: alpha in [0.01, 2], beta in [0, 3]; clip's bounds [alpha − 1, alpha − 1 + beta]. */
const activationArb = fc
  .record({
    activation: fc.constantFrom(...ACTIVATIONS),
    alpha: fc.integer({ min: 1, max: 200 }).map((v) => v / 100),
    beta: fc.integer({ min: 0, max: 300 }).map((v) => v / 100),
  })
  .map((a) => (a.activation === 'clip' ? { ...a, alpha: a.alpha - 1, beta: a.alpha - 1 + a.beta } : a));

const commonArb: fc.Arbitrary<Common> = fc
  .record({
    n: fc.integer({ min: 1, max: 3 }),
    h: fc.integer({ min: 1, max: 30 }),
    w: fc.integer({ min: 1, max: 30 }),
    k: fc.tuple(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 7 })),
    stride: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    dilation: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    padding: paddingArb,
    act: activationArb,
    bias: fc.boolean(),
    seed: fc.nat(),
  })
  .map(({ act, ...c }) => ({ ...c, ...act }))
  .filter(fits);

function spatial(c: Common): Spatial {
  return { stride: c.stride, dilation: c.dilation, padding: c.padding };
}

/** The engine options of a case: its geometry and activation `act` with the case's alpha and beta. */
function spatialOptions(c: Common, act: Activation) {
  return { ...spatial(c), activation: act, alpha: c.alpha, beta: c.beta };
}

const TRANSCENDENTAL = new Set<Activation>(['sigmoid', 'tanh', 'elu', 'hardSwish']);

/** How much an activation can scale an error of its input: its largest slope, if above 1. */
function slope(c: Pick<Common, 'activation' | 'alpha'>): number {
  return c.activation === 'leakyRelu' || c.activation === 'elu' || c.activation === 'hardSigmoid' ? Math.max(1, c.alpha) : 1;
}

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
      const tol = slope(c) * chain * (1e-6 + 1e-5 * (magnitude[i] as number)) + extra;
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
              ...spatialOptions(c, act),
              groups,
              ...(bs && { bias: e.tensor(bs, [cout]) }),
            })
            .read();
        const ref = oracleConv2d({ x, xShape, filter: f, filterShape: fShape, bias, activation: c.activation, alpha: c.alpha, beta: c.beta }, spatial(c), groups);
        agree(ref, await run(cpu, x, f, bias, c.activation), await onGpusAndWasm('conv2d', c, (g) => run(g, x, f, bias, c.activation)), await run(cpu, abs(x), abs(f), bias && abs(bias), 'linear'), c);
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
            ...spatialOptions(c, act),
            ...(bs && { bias: e.tensor(bs, [channels * m]) }),
          })
          .read();
      const ref = oracleDepthwise({ x, xShape, filter: f, filterShape: fShape, bias, activation: c.activation, alpha: c.alpha, beta: c.beta }, spatial(c));
      agree(ref, await run(cpu, x, f, bias, c.activation), await onGpusAndWasm(variants, c, (g) => run(g, x, f, bias, c.activation)), await run(cpu, abs(x), abs(f), bias && abs(bias), 'linear'), c);
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
              beta: c.beta,
              ...(bs && { bias: e.tensor(bs, [cout]) }),
            })
            .read();
        const ref = oraclePointwise({ x, xShape, filter: f, filterShape: [cin, cout], bias, activation: c.activation, alpha: c.alpha, beta: c.beta });
        agree(ref, await run(cpu, x, f, bias, c.activation), await onGpusAndWasm('pointwise', c, (g) => run(g, x, f, bias, c.activation)), await run(cpu, abs(x), abs(f), bias && abs(bias), 'linear'), c);
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
              ...spatialOptions(c, act),
              ...(ds && { depthwiseBias: e.tensor(ds, [mid]) }),
              ...(bs && { bias: e.tensor(bs, [cout]) }),
            })
            .read();
        };
        const data = [x, f, pw, dwb, bias];
        const ref = oracleSeparable(
          { x, xShape, filter: f, filterShape: fShape, pointwise: pw, pointwiseShape: [mid, cout], depthwiseBias: dwb, bias, activation: c.activation, alpha: c.alpha, beta: c.beta },
          spatial(c),
        );
        const magnitude = await run(cpu, data.map((d) => d && abs(d)), 'linear');
        agree(ref, await run(cpu, data, c.activation), await onGpusAndWasm('separable', c, (g) => run(g, data, c.activation)), magnitude, c, 2);
      }),
      runs(110),
    );
  });
});

// Elementwise binary ops and activations alone. Tolerances, with v = a ∘ b (or x for
// an activation alone) computed exactly:
// - CPU vs TF.js: 1e-6 + 1e-5·|ref|. Both compute v from two f32 values and round it
//   (TF.js to f32 before its activation ops, each of which rounds again: a few ULP,
//   times the activation's slope ≤ 2), ours once, after the activation.
// - GPU vs CPU: max(1, slope)·(1e-6 + 1e-6·|v|) + 4e-6 for exp/tanh-based activations:
//   WGSL's +, −, · round correctly and its / is within 2.5 ULP (≤ 3e-7·|v|), the
//   piecewise-linear activations add one or two roundings of values ≤ max(|v|, 4).
describe('fuzz: elementwise ops and activations, ours vs TF.js (CPU) and GPU vs CPU', () => {
  /** Row-major shape with the dimensions where `ones` is true (aligned from the right) set to 1, and its `drop` leading dimensions removed. */
  const reshape = (out: readonly number[], ones: readonly boolean[], drop: number) =>
    out.map((d, i) => (ones[ones.length - out.length + i] ? 1 : d)).slice(Math.min(drop, out.length - 1));
  // Which dimensions of the second operand are 1, by pattern: per-channel NHWC scales
  // ([1, 1, 1, C], also as [C]), per-image values ([N, 1, 1, 1]), NCHW per-channel
  // scales ([N, C, 1, 1]: broadcast along the last dimension), equal shapes, or
  // random masks on both operands (broadcasting in both directions at once).
  const PATTERNS: Record<string, readonly boolean[] | null> = {
    channel: [true, true, true, false],
    image: [false, true, true, true],
    nchwChannel: [false, false, true, true],
    same: [false, false, false, false],
    random: null,
  };
  const arb = fc.record({
    out: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }),
    // A last dimension of 4, 8 or 12 half of the time (the vec4 kernel's shapes).
    last4: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined, freq: 2 }),
    pattern: fc.constantFrom(...Object.keys(PATTERNS)),
    onesA: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    onesB: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    dropA: fc.integer({ min: 0, max: 3 }),
    dropB: fc.integer({ min: 0, max: 3 }),
    swap: fc.boolean(),
    kind: fc.constantFrom('add' as const, 'sub' as const, 'mul' as const, 'div' as const),
    act: activationArb,
    seed: fc.nat(),
  });

  test('add, sub, mul, div: ranks 1–4, every broadcasting pattern, every activation, every kernel variant (150 configurations)', async () => {
    await fc.assert(
      fc.asyncProperty(arb, async ({ out: drawn, last4, pattern, onesA, onesB, dropA, dropB, swap, kind, act, seed }) => {
        const out = last4 === undefined ? drawn : [...drawn.slice(0, -1), 4 * last4];
        const fixed = PATTERNS[pattern];
        const shapes = fixed ? [out, reshape(out, fixed, pattern === 'channel' ? dropB : 0)] : [reshape(out, onesA, dropA), reshape(out, onesB, dropB)];
        const [aShape, bShape] = (swap ? [shapes[1], shapes[0]] : shapes) as [number[], number[]];
        // Values in [-4, 4): sums reach relu6's and hardSwish's bends, quotients grow large.
        const a = randomData(aShape.reduce((p, d) => p * d, 1), seed).map((v) => 4 * v);
        const b = randomData(bShape.reduce((p, d) => p * d, 1), seed + 1).map((v) => 4 * v);
        const run = (e: Engine, activation: Activation) =>
          e[kind](e.tensor(a, aShape), e.tensor(b, bShape), { activation, alpha: act.alpha, beta: act.beta }).read();
        const ref = oracleBinary({ kind, a, aShape, b, bShape, ...act });
        const ours = await run(cpu, act.activation);
        const magnitude = abs(await run(cpu, 'linear'));
        agreeElementwise(ref, ours, await onGpus('binary', { activation: act.activation, seed }, (g) => run(g, act.activation)), magnitude, act);
      }),
      runs(150),
    );
  });

  test('an activation alone (the backend op unary), every activation (60 configurations)', async () => {
    const unaryArb = fc.record({ size: fc.integer({ min: 1, max: 300 }), act: activationArb, seed: fc.nat() });
    await fc.assert(
      fc.asyncProperty(unaryArb, async ({ size, act, seed }) => {
        // Values in [-10, 10): past tanh's clamp at ±9, relu6's 6, hardSwish's ±3.
        const x = randomData(size, seed).map((v) => 10 * v);
        const run = (e: Engine) => {
          const be = e.implementation;
          const t = e.tensor(x, [size]);
          return be.read(be.unary(t.storage, { size, act: { activation: act.activation, alpha: act.alpha, beta: act.beta } }));
        };
        const ref = oracleActivation(x, act.activation, act.alpha, act.beta);
        agreeElementwise(ref, await run(cpu), [['auto', await run(gpus.auto as Engine)]], abs(x), act);
      }),
      runs(60),
    );
  });

  /** ours vs TF.js and each GPU output vs ours, within the tolerances above. */
  function agreeElementwise(ref: Float32Array, ours: Float32Array, gpuOuts: [string, Float32Array][], magnitude: Float32Array, act: Pick<Common, 'activation' | 'alpha'>) {
    expect(ours.length, 'output length vs TF.js').toBe(ref.length);
    ref.forEach((r, i) => {
      const o = ours[i] as number;
      // Equal also covers a division by an exact 0 (±Inf) on both sides.
      if (!(o === r || Math.abs(o - r) <= 1e-6 + 1e-5 * Math.abs(r))) throw new Error(`CPU vs TF.js at ${i}: ours ${o}, TF.js ${r}`);
    });
    const extra = TRANSCENDENTAL.has(act.activation) ? 4e-6 : 0;
    for (const [variant, gpuOut] of gpuOuts) {
      expect(gpuOut.length, `GPU (${variant}) output length`).toBe(ours.length);
      ours.forEach((o, i) => {
        const g = gpuOut[i] as number;
        const tol = slope(act) * (1e-6 + 1e-6 * (magnitude[i] as number)) + extra;
        if (!(g === o || Math.abs(g - o) <= tol)) throw new Error(`GPU (${variant}) vs CPU at ${i}: GPU ${g}, CPU ${o}, tol ${tol}`);
      });
    }
  }
});

// Concat, pad, pooling and matMul. Tolerances:
// - concat and pad copy values, max pooling picks one: exact on every backend (NaN
//   matching NaN, ±∞ equal), against TF.js too;
// - average pooling sums ≤ 5·5 cells: CPU vs TF.js as above (1e-4 + 1e-3·|ref|), GPU vs
//   CPU 1e-6 + 1e-5·(Σ|x| / count) per element (the float rounding bound of the sum,
//   test/support/compare.ts, times the one division's few ULP);
// - matMul is a pointwise convolution: its tolerances, on every pointwise variant.
describe('fuzz: concat, pad, pooling and matMul, ours vs TF.js (CPU) and GPU vs CPU', () => {
  /** Equal, or both NaN, or within `tol` of each other. */
  const close = (got: number, want: number, tol: number) => (Number.isNaN(want) ? Number.isNaN(got) : got === want || Math.abs(got - want) <= tol);

  /** ours vs TF.js within `refTol(ref)`, each GPU output vs ours within `gpuTol(i)` (0: exactly). */
  function agreeElementwise(ref: Float32Array, ours: Float32Array, gpuOuts: [string, Float32Array][], refTol: (r: number) => number, gpuTol: (i: number) => number) {
    expect(ours.length, 'output length vs TF.js').toBe(ref.length);
    ref.forEach((r, i) => {
      if (!close(ours[i] as number, r, refTol(r))) throw new Error(`CPU vs TF.js at ${i}: ours ${ours[i]}, TF.js ${r}`);
    });
    for (const [variant, gpuOut] of gpuOuts) {
      expect(gpuOut.length, `GPU (${variant}) output length`).toBe(ours.length);
      ours.forEach((o, i) => {
        if (!close(gpuOut[i] as number, o, gpuTol(i))) throw new Error(`GPU (${variant}) vs CPU at ${i}: GPU ${gpuOut[i]}, CPU ${o}, tol ${gpuTol(i)}`);
      });
    }
  }
  const exact = () => 0;
  const refTolerance = (r: number) => 1e-4 + 1e-3 * Math.abs(r);
  const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

  /** A shape of rank 1 to 4 with dimensions 1 to 5. */
  const shapeArb = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 });

  test('concat: ranks 1–4, 1–4 tensors, every axis (40 configurations)', async () => {
    const arb = shapeArb.chain((base) =>
      fc.record({
        base: fc.constant(base),
        axis: fc.integer({ min: -base.length, max: base.length - 1 }),
        sizes: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }),
        seed: fc.nat(),
      }),
    );
    await fc.assert(
      fc.asyncProperty(arb, async ({ base, axis, sizes, seed }) => {
        const a = axis < 0 ? axis + base.length : axis;
        const shapes = sizes.map((d) => base.map((b, i) => (i === a ? d : b)));
        const data = shapes.map((s, i) => randomData(size(s), seed + i));
        const run = (e: Engine) => e.concat(data.map((d, i) => e.tensor(d, shapes[i] as number[])), axis).read();
        const ref = oracleConcat(data, shapes, axis);
        agreeElementwise(ref, await run(cpu), [['auto', await run(gpus.auto as Engine)]], exact, exact);
      }),
      runs(40),
    );
  });

  test('pad: ranks 1–4, 0–3 on each side, values 0, 2.5, −∞, NaN (40 configurations)', async () => {
    const arb = shapeArb.chain((shape) =>
      fc.record({
        shape: fc.constant(shape),
        paddings: fc.array(fc.tuple(fc.nat(3), fc.nat(3)), { minLength: shape.length, maxLength: shape.length }),
        value: fc.constantFrom(0, 2.5, -Infinity, NaN),
        seed: fc.nat(),
      }),
    );
    await fc.assert(
      fc.asyncProperty(arb, async ({ shape, paddings, value, seed }) => {
        const x = randomData(size(shape), seed);
        const run = (e: Engine) => e.pad(e.tensor(x, shape), paddings, value).read();
        agreeElementwise(oraclePad(x, shape, paddings, value), await run(cpu), [['auto', await run(gpus.auto as Engine)]], exact, exact);
      }),
      runs(40),
    );
  });

  const poolArb = fc
    .record({
      n: fc.integer({ min: 1, max: 2 }),
      h: fc.integer({ min: 1, max: 20 }),
      w: fc.integer({ min: 1, max: 20 }),
      // Multiples of 4 often enough for the vec4 kernel.
      channels: fc.oneof(fc.integer({ min: 1, max: 9 }), fc.constantFrom(4, 8, 12)),
      k: fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 })),
      stride: fc.option(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })), { nil: undefined }),
      padding: paddingArb,
      kind: fc.constantFrom('max' as const, 'avg' as const),
      countIncludePad: fc.boolean(),
      nchw: fc.boolean(),
      seed: fc.nat(),
    })
    .filter((p) => fits({ ...p, dilation: [1, 1] }));

  test('maxPool and avgPool: windows 1–5, strides 1–3 or the window, every padding form, NHWC and NCHW (80 configurations)', async () => {
    await fc.assert(
      fc.asyncProperty(poolArb, async (p) => {
        const shape = [p.n, p.h, p.w, p.channels] as [number, number, number, number];
        const x = randomData(size(shape), p.seed);
        const options = { kernelSize: p.k, stride: p.stride, padding: p.padding, countIncludePad: p.countIncludePad };
        const run = async (e: Engine, data: Float32Array) => {
          const t = p.nchw ? e.tensor(nhwcToNchw(data, shape), [p.n, p.channels, p.h, p.w], { layout: 'NCHW' }) : e.tensor(data, shape);
          const y = p.kind === 'max' ? e.maxPool(t, options) : e.avgPool(t, options);
          const out = await y.read();
          return p.nchw ? nchwToNhwc(out, y.shape) : out;
        };
        const ref = oraclePool({ x, xShape: shape, kind: p.kind, kernel: p.k, stride: p.stride ?? p.k, dilation: [1, 1], padding: p.padding, countIncludePad: p.kind === 'avg' && p.countIncludePad });
        const gpuOuts = await onGpusAndWasm('pool', { activation: 'linear', seed: p.seed }, (g) => run(g, x));
        if (p.kind === 'max') agreeElementwise(ref, await run(cpu, x), gpuOuts, exact, exact);
        else {
          const magnitude = await run(cpu, abs(x));
          agreeElementwise(ref, await run(cpu, x), gpuOuts, refTolerance, (i) => 1e-6 + 1e-5 * (magnitude[i] as number));
        }
      }),
      runs(80),
    );
  });

  test('pooling with dilation 1–3, as the model runtime calls the backend (25 configurations)', async () => {
    // The Engine's pooling ops take no dilation; ONNX MaxPool / AveragePool do, and the
    // model runtime passes it to the backends. TF.js pools with dilation only at stride 1
    // and pads dilated windows with zeros, so it is the oracle only at stride 1 without
    // padding (or with padding counted as zeros: countIncludePad); the other
    // configurations compare GPU with CPU alone.
    const arb = fc
      .record({ p: poolArb, dilation: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })) })
      .filter(({ p, dilation }) => fits({ ...p, dilation }));
    await fc.assert(
      fc.asyncProperty(arb, async ({ p, dilation }) => {
        const shape = [p.n, p.h, p.w, p.channels] as [number, number, number, number];
        const x = randomData(size(shape), p.seed);
        const stride = p.stride ?? [1, 1];
        const geometry = convGeometry('pool2d', shape, p.k[0], p.k[1], { stride, dilation, padding: p.padding });
        const params = pool2dParams(geometry, p.channels, p.kind, p.countIncludePad);
        const run = (e: Engine, data: Float32Array) => {
          const t = e.tensor(data, shape);
          return e.wrap(e.implementation.pool2d(t.storage, params), [p.n, geometry.outH, geometry.outW, p.channels]).read();
        };
        const ours = await run(cpu, x);
        const counted = p.kind === 'avg' && p.countIncludePad;
        const tfjsTakes = stride[0] === 1 && stride[1] === 1 && (p.padding === 'valid' || counted);
        const ref = tfjsTakes
          ? oraclePool({ x, xShape: shape, kind: p.kind, kernel: p.k, stride, dilation, padding: p.padding, countIncludePad: counted })
          : ours;
        const magnitude = await run(cpu, abs(x));
        const gpuTol = p.kind === 'max' ? exact : (i: number) => 1e-6 + 1e-5 * (magnitude[i] as number);
        agreeElementwise(ref, ours, await onGpusAndWasm('pool', { activation: 'linear', seed: p.seed }, (g) => run(g, x)), p.kind === 'max' ? exact : refTolerance, gpuTol);
      }),
      runs(25),
    );
  });

  test('matMul on every pointwise variant, b uploaded or an op output (25 configurations)', async () => {
    const arb = fc.record({
      m: fc.integer({ min: 1, max: 70 }),
      k: fc.integer({ min: 1, max: 70 }),
      n: fc.integer({ min: 1, max: 70 }),
      bFromOp: fc.boolean(),
      seed: fc.nat(),
    });
    await fc.assert(
      fc.asyncProperty(arb, async ({ m, k, n, bFromOp, seed }) => {
        const a = randomData(m * k, seed);
        const b = randomData(k * n, seed + 1);
        const bt = permute4(b, [1, 1, k, n], [0, 1, 3, 2]); // bᵀ: [n, k]
        const run = (e: Engine, as: Float32Array, bs: Float32Array, bts: Float32Array) => {
          // An op's output as b: the transpose of bᵀ.
          const bTensor = bFromOp ? e.transpose(e.tensor(bts, [n, k]), [1, 0]) : e.tensor(bs, [k, n]);
          return e.matMul(e.tensor(as, [m, k]), bTensor).read();
        };
        const magnitude = await run(cpu, abs(a), abs(b), abs(bt));
        const gpuOuts = await onGpus('pointwise', { activation: 'linear', seed }, (g) => run(g, a, b, bt));
        agreeElementwise(oracleMatMul(a, b, m, k, n), await run(cpu, a, b, bt), gpuOuts, refTolerance, (i) => 1e-6 + 1e-5 * (magnitude[i] as number));
      }),
      runs(25),
    );
  });
});
