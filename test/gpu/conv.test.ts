// GPU kernels against the CPU reference over a spread of shapes (Node, Dawn).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createEngine, type Activation, type Engine, type PaddingOption, type Tensor } from '../../src/index.js';
import { abs, firstMismatch } from '../support/compare.js';
import { createGpuEngine } from '../support/gpu.js';
import { randomData } from '../support/random.js';

let gpu: Engine;
let cpu: Engine;
beforeAll(async () => {
  gpu = await createGpuEngine();
  cpu = await createEngine({ backend: 'cpu' });
  console.log(`GPU tests on ${gpu.adapter?.vendor} ${gpu.adapter?.architecture} (${gpu.adapter?.description})`);
});
afterAll(() => {
  gpu?.destroy();
  cpu?.destroy();
});

interface DwCase {
  batch: number;
  h: number;
  w: number;
  c: number;
  m: number;
  k: [number, number];
  stride: number | [number, number];
  dilation: number | [number, number];
  padding: PaddingOption;
  bias: boolean;
  activation: Activation;
}

const CHANNELS = [1, 3, 4, 5, 32, 33];
const MULTIPLIERS = [1, 2, 3];
const KERNELS: [number, number][] = [[1, 1], [3, 3], [5, 5], [7, 7], [3, 5]];
const PADDINGS: PaddingOption[] = ['same', 'valid', 1, [0, 2, 1, 0]];
const ACTIVATIONS: Activation[] = ['linear', 'relu', 'relu6'];

// Every value of every parameter appears, in varied combinations: index i picks
// each parameter with a different modulus, so 60 cases cover far more pairs than
// a grid of the same size would.
function depthwiseCases(): DwCase[] {
  const cases: DwCase[] = [];
  for (let i = 0; i < 60; i++) {
    const k = KERNELS[i % 5] as [number, number];
    const dilation = 1 + ((i >> 1) % 2);
    const stride = i % 7 === 6 ? ([1, 2] as [number, number]) : 1 + (i % 3);
    const dil = i % 11 === 10 ? ([2, 1] as [number, number]) : ([dilation, dilation] as [number, number]);
    // At least the dilated kernel's extent, so 'valid' padding has an output.
    cases.push({
      batch: 1 + (i % 3),
      h: (k[0] - 1) * dil[0] + 1 + ((i * 5) % 11),
      w: (k[1] - 1) * dil[1] + 1 + ((i * 3) % 13),
      c: CHANNELS[i % 6] as number,
      m: MULTIPLIERS[(i >> 2) % 3] as number,
      k,
      stride,
      dilation: i % 11 === 10 ? dil : dilation,
      padding: PADDINGS[(i >> 1) % 4] as PaddingOption,
      bias: i % 4 !== 3,
      activation: ACTIVATIONS[i % 3] as Activation,
    });
  }
  return cases;
}

function label(c: object): string {
  return JSON.stringify(c).replace(/"/g, '');
}

async function depthwiseOn(e: Engine, c: DwCase, x: Float32Array, w: Float32Array, b: Float32Array | null, act: Activation) {
  const tensors: Tensor[] = [e.tensor(x, [c.batch, c.h, c.w, c.c]), e.tensor(w, [c.k[0], c.k[1], c.c, c.m])];
  if (b) tensors.push(e.tensor(b, [c.c * c.m]));
  const [tx, tw, tb] = tensors as [Tensor, Tensor, Tensor | undefined];
  const y = e.depthwiseConv2d(tx, tw, {
    stride: c.stride,
    dilation: c.dilation,
    padding: c.padding,
    activation: act,
    ...(tb && { bias: tb }),
  });
  const data = await y.read();
  const shape = y.shape;
  [...tensors, y].forEach((t) => t.dispose());
  return { data, shape };
}

describe('depthwiseConv2d: GPU = CPU', () => {
  test.each(depthwiseCases().map((c) => [label(c), c] as const))('%s', async (_name, c) => {
    const seed = c.h * 1000 + c.w * 10 + c.c;
    const x = randomData(c.batch * c.h * c.w * c.c, seed);
    const w = randomData(c.k[0] * c.k[1] * c.c * c.m, seed + 1);
    const b = c.bias ? randomData(c.c * c.m, seed + 2) : null;
    const got = await depthwiseOn(gpu, c, x, w, b, c.activation);
    const want = await depthwiseOn(cpu, c, x, w, b, c.activation);
    const magnitude = await depthwiseOn(cpu, c, abs(x), abs(w), b && abs(b), 'linear');
    expect(got.shape).toEqual(want.shape);
    expect(firstMismatch(got.data, want.data, magnitude.data)).toBeNull();
  });
});

interface PwCase {
  batch: number;
  h: number;
  w: number;
  cin: number;
  cout: number;
  bias: boolean;
  activation: Activation;
}

async function pointwiseOn(e: Engine, c: PwCase, x: Float32Array, w: Float32Array, b: Float32Array | null, act: Activation) {
  const tx = e.tensor(x, [c.batch, c.h, c.w, c.cin]);
  const tw = e.tensor(w, [c.cin, c.cout]);
  const tb = b ? e.tensor(b, [c.cout]) : undefined;
  const y = e.pointwiseConv2d(tx, tw, { activation: act, ...(tb && { bias: tb }) });
  const data = await y.read();
  const shape = y.shape;
  [tx, tw, y, ...(tb ? [tb] : [])].forEach((t) => t.dispose());
  return { data, shape };
}

// Shapes on and off the 32×32×16 tile boundaries of the GEMM, K from 1 to 200.
const CINS = [1, 3, 4, 5, 16, 32, 33, 64, 100, 200];
const COUTS = [1, 3, 4, 7, 16, 32, 33, 64, 96];
function pointwiseCases(): PwCase[] {
  const cases: PwCase[] = [];
  for (let i = 0; i < 30; i++) {
    cases.push({
      batch: 1 + (i % 3),
      h: 1 + ((i * 7) % 17),
      w: 1 + ((i * 5) % 19),
      cin: CINS[i % CINS.length] as number,
      cout: COUTS[(i * 4) % COUTS.length] as number,
      bias: i % 3 !== 2,
      activation: ACTIVATIONS[(i >> 1) % 3] as Activation,
    });
  }
  return cases;
}

describe('pointwiseConv2d: GPU = CPU', () => {
  test.each(pointwiseCases().map((c) => [label(c), c] as const))('%s', async (_name, c) => {
    const seed = c.cin * 131 + c.cout;
    const x = randomData(c.batch * c.h * c.w * c.cin, seed);
    const w = randomData(c.cin * c.cout, seed + 1);
    const b = c.bias ? randomData(c.cout, seed + 2) : null;
    const got = await pointwiseOn(gpu, c, x, w, b, c.activation);
    const want = await pointwiseOn(cpu, c, x, w, b, c.activation);
    const magnitude = await pointwiseOn(cpu, c, abs(x), abs(w), b && abs(b), 'linear');
    expect(got.shape).toEqual(want.shape);
    expect(firstMismatch(got.data, want.data, magnitude.data)).toBeNull();
  });
});

describe('chains and larger shapes', () => {
  // depthwise → pointwise → depthwise → pointwise without leaving the GPU, one read at the end.
  async function block(e: Engine, x: Float32Array, weights: Float32Array[]) {
    const [dw1, pw1, dw2, pw2] = weights as [Float32Array, Float32Array, Float32Array, Float32Array];
    let t = e.tensor(x, [2, 24, 20, 8]);
    t = e.depthwiseConv2d(t, e.tensor(dw1, [3, 3, 8, 2]), { padding: 'same', activation: 'relu6' });
    t = e.pointwiseConv2d(t, e.tensor(pw1, [16, 24]), { activation: 'relu' });
    t = e.depthwiseConv2d(t, e.tensor(dw2, [5, 5, 24, 1]), { stride: 2, padding: 'same' });
    t = e.pointwiseConv2d(t, e.tensor(pw2, [24, 10]));
    return { data: await t.read(), shape: t.shape };
  }

  test('separable block chain stays on the GPU and matches the CPU', async () => {
    const x = randomData(2 * 24 * 20 * 8, 7);
    const weights = [randomData(9 * 16, 8), randomData(16 * 24, 9), randomData(25 * 24, 10), randomData(240, 11)];
    const got = await block(gpu, x, weights);
    const want = await block(cpu, x, weights);
    expect(got.shape).toEqual([2, 12, 10, 10]);
    // Four chained ops: each stage's error feeds the next, so compare against a
    // magnitude bound scaled to the output (values here are O(10)).
    let worst = 0;
    want.data.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - (got.data[i] as number)) / (1 + Math.abs(v)))));
    expect(worst).toBeLessThan(1e-4);
  });

  test('MobileNet-sized layers: [1,56,56,144] depthwise 3×3 s2 and 56×56 pointwise 144→24', async () => {
    const x = randomData(56 * 56 * 144, 21);
    const w = randomData(9 * 144, 22);
    const pw = randomData(144 * 24, 23);
    const run = async (e: Engine, xs: Float32Array, ws: Float32Array, ps: Float32Array) => {
      const y = e.depthwiseConv2d(e.tensor(xs, [1, 56, 56, 144]), e.tensor(ws, [3, 3, 144, 1]), { stride: 2, padding: 'same' });
      const z = e.pointwiseConv2d(e.tensor(xs, [1, 56, 56, 144]), e.tensor(ps, [144, 24]));
      return [await y.read(), await z.read()] as const;
    };
    const [gy, gz] = await run(gpu, x, w, pw);
    const [cy, cz] = await run(cpu, x, w, pw);
    const [my, mz] = await run(cpu, abs(x), abs(w), abs(pw));
    expect(firstMismatch(gy, cy, my)).toBeNull();
    expect(firstMismatch(gz, cz, mz)).toBeNull();
  });

  test('MobileNet stem: conv2d 3×3 s2 3→32 on [1,224,224,3], and a grouped 3×3 64→64 (groups 4)', async () => {
    const x = randomData(224 * 224 * 3, 41);
    const w = randomData(27 * 32, 42);
    const x2 = randomData(28 * 28 * 64, 43);
    const w2 = randomData(9 * 16 * 64, 44);
    const run = async (e: Engine, xs: Float32Array, ws: Float32Array, x2s: Float32Array, w2s: Float32Array) => [
      await e.conv2d(e.tensor(xs, [1, 224, 224, 3]), e.tensor(ws, [3, 3, 3, 32]), { stride: 2, padding: 'same' }).read(),
      await e.conv2d(e.tensor(x2s, [1, 28, 28, 64]), e.tensor(w2s, [3, 3, 16, 64]), { padding: 'same', groups: 4 }).read(),
    ];
    const got = await run(gpu, x, w, x2, w2);
    const want = await run(cpu, x, w, x2, w2);
    const magnitude = await run(cpu, abs(x), abs(w), abs(x2), abs(w2));
    got.forEach((g, i) => expect(firstMismatch(g, want[i] as Float32Array, magnitude[i] as Float32Array)).toBeNull());
  });

  test('more than 65,535 workgroups: the dispatch is folded into a 2-D grid', async () => {
    // 1·520·520·16 = 4,326,400 outputs / 64 per workgroup = 67,600 workgroups.
    const x = randomData(520 * 520 * 16, 31);
    const w = randomData(9 * 16, 32);
    const run = (e: Engine, xs: Float32Array, ws: Float32Array) =>
      e.depthwiseConv2d(e.tensor(xs, [1, 520, 520, 16]), e.tensor(ws, [3, 3, 16, 1]), { padding: 'same' }).read();
    const got = await run(gpu, x, w);
    const want = await run(cpu, x, w);
    const magnitude = await run(cpu, abs(x), abs(w));
    expect(firstMismatch(got, want, magnitude)).toBeNull();
  });
});

describe('the comparison can fail', () => {
  test('a GPU result checked against the wrong reference is caught', async () => {
    const c: DwCase = { batch: 1, h: 6, w: 6, c: 4, m: 1, k: [3, 3], stride: 1, dilation: 1, padding: 'same', bias: false, activation: 'linear' };
    const x = randomData(144, 1);
    const w = randomData(36, 2);
    const got = await depthwiseOn(gpu, c, x, w, null, 'linear');
    const shifted = await depthwiseOn(cpu, { ...c, padding: [1, 1, 2, 0] }, x, w, null, 'linear');
    const magnitude = await depthwiseOn(cpu, c, abs(x), abs(w), null, 'linear');
    expect(firstMismatch(got.data, shifted.data, magnitude.data)).not.toBeNull();
  });
});
