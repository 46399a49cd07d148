// NaN and ±Inf inside data are not errors: they propagate through every op and
// activation on the GPU exactly as in the CPU reference (same NaN / +Inf / -Inf
// positions; finite values within rounding).
import { expect, test } from 'vitest';
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

const ops: [string, (en: Engine, a: Activation) => Promise<Float32Array>][] = [
  ['depthwiseConv2d', (en, a) => en.depthwiseConv2d(en.tensor(poisoned(2 * 7 * 6 * 3, 1), [2, 7, 6, 3]), en.tensor(randomData(9 * 3 * 2, 2), [3, 3, 3, 2]), { padding: 'same', activation: a }).read()],
  ['pointwiseConv2d', (en, a) => en.pointwiseConv2d(en.tensor(poisoned(5 * 5 * 6, 3), [1, 5, 5, 6]), en.tensor(randomData(6 * 4, 4), [6, 4]), { activation: a }).read()],
  ['conv2d', (en, a) => en.conv2d(en.tensor(poisoned(6 * 6 * 4, 5), [1, 6, 6, 4]), en.tensor(randomData(9 * 2 * 4, 6), [3, 3, 2, 4]), { groups: 2, activation: a }).read()],
  ['separableConv2d (NaN in the filter)', (en, a) => en.separableConv2d(en.tensor(randomData(6 * 6 * 2, 7), [1, 6, 6, 2]), en.tensor(poisoned(18, 8), [3, 3, 2, 1]), en.tensor(randomData(6, 9), [2, 3]), { activation: a }).read()],
];

test.each(ops.flatMap(([name, run]) => ACTIVATIONS.map((a) => [`${name}, ${a}`, run, a] as const)))('%s', async (_n, run, a) => {
  const got = await run(engines.gpu, a);
  const want = await run(engines.cpu, a);
  expect(want.some((v) => !Number.isFinite(v))).toBe(true);
  want.forEach((w, i) => {
    const g = got[i] as number;
    expect(kind(g), `element ${i}: GPU ${g}, CPU ${w}`).toBe(kind(w));
    if (Number.isFinite(w)) expect(Math.abs(g - w)).toBeLessThan(1e-4 * (1 + Math.abs(w)));
  });
});
