// NaN and ±Inf inside data are not errors: they propagate through every op and
// activation on the GPU exactly as in the CPU reference (same NaN / +Inf / -Inf
// positions; finite values within rounding).
import { expect, test } from 'vitest';
import { resolveActivation } from '../../src/activation.js';
import { ACTIVATIONS, type Activation, type Engine } from '../../src/index.js';
import { gpuAndCpuEngines } from '../support/gpu.js';
import { randomData } from '../support/random.js';

const engines = gpuAndCpuEngines();

function poisoned(n: number, seed: number): Float32Array {
  const a = randomData(n, seed);
  a[3] = NaN;
  a[Math.floor(n / 3)] = Infinity;
  a[Math.floor(n / 2)] = -Infinity;
  a[n - 2] = NaN;
  return a;
}

function kind(v: number): string {
  return Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : 'finite';
}

/** The options of an activation: clip needs both of its bounds. */
function actOptions(a: Activation) {
  return { activation: a, ...(a === 'clip' && { alpha: -0.5, beta: 0.5 }) };
}

/** The backend's unary op (an activation alone, as the model executor runs it) on `x`. */
function unary(en: Engine, x: Float32Array, a: Activation): Promise<Float32Array> {
  const o = actOptions(a);
  const be = en.implementation;
  return be.read(be.unary(en.tensor(x, [x.length]).storage, { size: x.length, act: resolveActivation('unary', a, o.alpha, o.beta) }));
}

const ops: [string, (en: Engine, a: Activation) => Promise<Float32Array>][] = [
  ['depthwiseConv2d', (en, a) => en.depthwiseConv2d(en.tensor(poisoned(2 * 7 * 6 * 3, 1), [2, 7, 6, 3]), en.tensor(randomData(9 * 3 * 2, 2), [3, 3, 3, 2]), { padding: 'same', ...actOptions(a) }).read()],
  ['pointwiseConv2d', (en, a) => en.pointwiseConv2d(en.tensor(poisoned(5 * 5 * 6, 3), [1, 5, 5, 6]), en.tensor(randomData(6 * 4, 4), [6, 4]), { ...actOptions(a) }).read()],
  ['conv2d', (en, a) => en.conv2d(en.tensor(poisoned(6 * 6 * 4, 5), [1, 6, 6, 4]), en.tensor(randomData(9 * 2 * 4, 6), [3, 3, 2, 4]), { groups: 2, ...actOptions(a) }).read()],
  ['add (vec4 kernel)', (en, a) => en.add(en.tensor(poisoned(2 * 3 * 4 * 8, 10), [2, 3, 4, 8]), en.tensor(randomData(8, 11), [1, 1, 1, 8]), actOptions(a)).read()],
  ['mul (NCHW per-channel scales, NaN and ±Inf in them: splatted)', (en, a) => en.mul(en.tensor(randomData(2 * 6 * 3 * 4, 12), [2, 6, 3, 4], { layout: 'NCHW' }), en.tensor(poisoned(12, 13), [2, 6, 1, 1], { layout: 'NCHW' }), actOptions(a)).read()],
  ['div (scalar kernel, by zero)', (en, a) => en.div(en.tensor(poisoned(30, 14), [5, 6]), en.tensor([0, 1, -2, 0, 3, 0.5], [6]), actOptions(a)).read()],
  ['sub (broadcast both ways)', (en, a) => en.sub(en.tensor(poisoned(7, 15), [7, 1]), en.tensor(randomData(5, 16), [1, 5]), actOptions(a)).read()],
  ['an activation alone (unary)', (en, a) => unary(en, poisoned(50, 17), a)],
  ['separableConv2d (NaN in the filter)', (en, a) => en.separableConv2d(en.tensor(randomData(6 * 6 * 2, 7), [1, 6, 6, 2]), en.tensor(poisoned(18, 8), [3, 3, 2, 1]), en.tensor(randomData(6, 9), [2, 3]), { ...actOptions(a) }).read()],
];

/** Same NaN / +Inf / -Inf positions, finite values within rounding; `want` must hold a non-finite value. */
function expectSameKinds(got: Float32Array, want: Float32Array) {
  expect(want.some((v) => !Number.isFinite(v))).toBe(true);
  want.forEach((w, i) => {
    const g = got[i] as number;
    expect(kind(g), `element ${i}: GPU ${g}, CPU ${w}`).toBe(kind(w));
    if (Number.isFinite(w)) expect(Math.abs(g - w)).toBeLessThan(1e-4 * (1 + Math.abs(w)));
  });
}

test.each(ops.flatMap(([name, run]) => ACTIVATIONS.map((a) => [`${name}, ${a}`, run, a] as const)))('%s', async (_n, run, a) => {
  expectSameKinds(await run(engines.gpu, a), await run(engines.cpu, a));
});

// Pooling: max pooling gives NaN for a window holding a NaN (where TF.js skips it) and
// ±Inf as any value; a window with no cell inside the input (padding past the window)
// gives −∞ (max), NaN (average) or 0 (average counting padding). On 3 channels (the
// scalar kernel) and 8 (vec4). Then concat, pad and matMul on the poisoned data.
const pooled = (C: number, seed: number) => (en: Engine) => en.tensor(poisoned(2 * 7 * 6 * C, seed), [2, 7, 6, C]);
const otherOps: [string, (en: Engine) => Promise<Float32Array>, (want: Float32Array) => void][] = [
  ...[3, 8].flatMap((C): [string, (en: Engine) => Promise<Float32Array>, (want: Float32Array) => void][] => [
    [`maxPool 3×3 same, ${C} channels`, (en) => en.maxPool(pooled(C, 11)(en), { kernelSize: 3, stride: 1, padding: 'same' }).read(), (want) => expect(want.some(Number.isNaN)).toBe(true)],
    [`maxPool 2×2, windows on padding only, ${C} channels`, (en) => en.maxPool(pooled(C, 12)(en), { kernelSize: 2, padding: [2, 0, 0, 2] }).read(), (want) => expect(want.includes(-Infinity)).toBe(true)],
    [`avgPool 3×3 stride 2 same, ${C} channels`, (en) => en.avgPool(pooled(C, 13)(en), { kernelSize: 3, stride: 2, padding: 'same' }).read(), (want) => expect(want.some(Number.isNaN)).toBe(true)],
    [`avgPool 1×1, windows on padding only, ${C} channels`, (en) => en.avgPool(pooled(C, 14)(en), { kernelSize: 1, padding: [1, 0, 0, 1] }).read(), (want) => expect(want.slice(0, 7 * C).every(Number.isNaN)).toBe(true)],
    [`avgPool countIncludePad, windows on padding only, ${C} channels`, (en) => en.avgPool(pooled(C, 15)(en), { kernelSize: 1, padding: [1, 0, 0, 0], countIncludePad: true }).read(), (want) => expect(want.slice(0, 6 * C).every((v) => v === 0)).toBe(true)],
  ]),
  ['concat', (en) => en.concat([pooled(3, 16)(en), pooled(3, 17)(en)], 2).read(), () => {}],
  ['pad with −∞', (en) => en.pad(pooled(3, 18)(en), [[0, 0], [1, 2], [0, 1], [0, 0]], -Infinity).read(), () => {}],
  ['matMul', (en) => en.matMul(en.tensor(poisoned(6 * 5, 19), [6, 5]), en.tensor(randomData(5 * 4, 20), [5, 4])).read(), () => {}],
];

test.each(otherOps)('%s', async (_n, run, check) => {
  const want = await run(engines.cpu);
  check(want);
  expectSameKinds(await run(engines.gpu), want);
});
