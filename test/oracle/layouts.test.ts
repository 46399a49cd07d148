// NCHW tensors and OIHW filters: (1) on each backend, the NCHW/OIHW path gives
// exactly the NHWC/HWIO path's numbers on transposed data (same kernels, same
// sums, so bit-identical); (2) PyTorch weights port unchanged: conv2d with NCHW
// input, OIHW weights and groups matches torch.nn.functional.conv2d's definition.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { hwioToOihw, nchwToNhwc, nhwcToNchw } from '../../bench/lib/layout.js';
import { ACTIVATIONS, createEngine, type Activation, type Engine, type PaddingOption, type Tensor } from '../../src/index.js';
import { createGpuEngine } from '../support/gpu.js';
import { randomData } from '../support/random.js';
import { torchConv2d } from '../support/torch-conv.js';

const SEED = Number(process.env.SEPCONV_FUZZ_SEED ?? 20261127);
const engines: Record<string, Engine> = {};
beforeAll(async () => {
  engines.webgpu = await createGpuEngine();
  engines.cpu = await createEngine({ backend: 'cpu' });
});
afterAll(() => Object.values(engines).forEach((e) => e.destroy()));

const configArb = fc.record({
  op: fc.constantFrom('conv2d', 'depthwise', 'pointwise', 'separable'),
  n: fc.integer({ min: 1, max: 2 }),
  h: fc.integer({ min: 3, max: 12 }),
  w: fc.integer({ min: 3, max: 12 }),
  k: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
  stride: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
  padding: fc.constantFrom<PaddingOption>('same', 'valid', 1, [0, 1, 1, 0]),
  groups: fc.integer({ min: 1, max: 3 }),
  cpg: fc.integer({ min: 1, max: 3 }),
  m: fc.integer({ min: 1, max: 3 }),
  cout: fc.integer({ min: 1, max: 5 }),
  activation: fc.constantFrom(...ACTIVATIONS),
  seed: fc.nat(),
});
type Config = typeof configArb extends fc.Arbitrary<infer T> ? T : never;

/** Runs the config's op with NHWC/HWIO data, or the same data transposed to NCHW/OIHW. */
async function run(e: Engine, c: Config, torchLayout: boolean): Promise<{ data: Float32Array; shape: readonly number[] }> {
  const cin = c.op === 'conv2d' ? c.groups * c.cpg : c.cpg + 1;
  const nhwc = [c.n, c.h, c.w, cin];
  const xData = randomData(c.n * c.h * c.w * cin, c.seed);
  const image = (data: Float32Array) =>
    torchLayout ? e.tensor(nhwcToNchw(data, nhwc), [c.n, cin, c.h, c.w], { layout: 'NCHW' }) : e.tensor(data, nhwc);
  const filter = (shape: number[], seed: number) => {
    const data = randomData(shape.reduce((a, b) => a * b), seed);
    if (!torchLayout) return e.tensor(data, shape);
    const hwio = shape.length === 2 ? [1, 1, ...shape] : shape;
    const [kh, kw, i, o] = hwio as [number, number, number, number];
    return e.tensor(hwioToOihw(data, hwio), [o, i, kh, kw]);
  };
  // clip has no default bounds.
  const act = { activation: c.activation as Activation, ...(c.activation === 'clip' && { alpha: -0.5, beta: 0.5 }) };
  const opts = { stride: c.stride, padding: c.padding, ...act, ...(torchLayout && { filterLayout: 'OIHW' as const }) };
  const x = image(xData);
  let y: Tensor;
  if (c.op === 'conv2d') {
    const cout = c.groups * c.cout;
    y = e.conv2d(x, filter([c.k[0], c.k[1], c.cpg, cout], c.seed + 1), { ...opts, groups: c.groups });
  } else if (c.op === 'depthwise') {
    // A depthwise filter [kh, kw, C, M] is HWIO [kh, kw, 1, C·M] in PyTorch's view.
    const f = torchLayout ? filter([c.k[0], c.k[1], 1, cin * c.m], c.seed + 1) : filter([c.k[0], c.k[1], cin, c.m], c.seed + 1);
    y = e.depthwiseConv2d(x, f, opts);
  } else if (c.op === 'pointwise') {
    y = e.pointwiseConv2d(x, filter([cin, c.cout], c.seed + 1), { ...act, ...(torchLayout && { filterLayout: 'OIHW' as const }) });
  } else {
    const f = torchLayout ? filter([c.k[0], c.k[1], 1, cin * c.m], c.seed + 1) : filter([c.k[0], c.k[1], cin, c.m], c.seed + 1);
    y = e.separableConv2d(x, f, filter([cin * c.m, c.cout], c.seed + 2), opts);
  }
  expect(y.layout).toBe(torchLayout ? 'NCHW' : 'NHWC');
  const out = await y.read();
  if (!torchLayout) return { data: out, shape: y.shape };
  const [n, ch, h, w] = y.shape as [number, number, number, number];
  return { data: nchwToNhwc(out, y.shape), shape: [n, h, w, ch] };
}

describe.each(['cpu', 'webgpu'])('NCHW/OIHW = NHWC/HWIO on transposed data (%s)', (backend) => {
  test('120 random configurations across conv2d, depthwise, pointwise, separable: bit-identical', async () => {
    const e = engines[backend] as Engine;
    await fc.assert(
      fc.asyncProperty(configArb, async (c) => {
        const a = await run(e, c, false);
        const b = await run(e, c, true);
        expect(b.shape).toEqual(a.shape);
        expect(b.data).toEqual(a.data);
      }),
      { seed: SEED, numRuns: 120 },
    );
  });
});

describe.each(['cpu', 'webgpu'])('PyTorch weights port unchanged (%s)', (backend) => {
  test.each([
    { name: 'standard 3×3', cin: 3, cout: 8, k: [3, 3], groups: 1, stride: [1, 1], padding: [1, 1], dilation: [1, 1] },
    { name: 'grouped, groups=2, stride 2', cin: 4, cout: 6, k: [3, 3], groups: 2, stride: [2, 2], padding: [1, 1], dilation: [1, 1] },
    { name: 'depthwise groups=C, multiplier 2, dilation 2', cin: 5, cout: 10, k: [3, 3], groups: 5, stride: [1, 1], padding: [2, 2], dilation: [2, 2] },
    { name: 'rectangular 1×5, stride [1, 2]', cin: 2, cout: 3, k: [1, 5], groups: 1, stride: [1, 2], padding: [0, 2], dilation: [1, 1] },
    { name: '1×1 (pointwise route)', cin: 7, cout: 4, k: [1, 1], groups: 1, stride: [1, 1], padding: [0, 0], dilation: [1, 1] },
  ] as const)('$name', async (c) => {
    const e = engines[backend] as Engine;
    const xShape = [2, c.cin, 9, 10] as [number, number, number, number];
    const wShape = [c.cout, c.cin / c.groups, c.k[0], c.k[1]] as [number, number, number, number];
    const x = randomData(xShape.reduce((a, b) => a * b), 5);
    const w = randomData(wShape.reduce((a, b) => a * b), 6);
    const bias = randomData(c.cout, 7);
    const want = torchConv2d({ x, xShape, w, wShape, bias, stride: [...c.stride], padding: [...c.padding], dilation: [...c.dilation], groups: c.groups });
    const y = e.conv2d(e.tensor(x, xShape, { layout: 'NCHW' }), e.tensor(w, wShape), {
      filterLayout: 'OIHW',
      groups: c.groups,
      stride: [...c.stride],
      dilation: [...c.dilation],
      padding: [c.padding[0], c.padding[0], c.padding[1], c.padding[1]],
      bias: e.tensor(bias, [c.cout]),
    });
    expect(y.shape).toEqual(want.shape);
    expect(y.layout).toBe('NCHW');
    const got = await y.read();
    // ≤ 45 products of values in [-1, 1], f32 on either side: 1e-5 is ~20× the rounding.
    got.forEach((v, i) => expect(Math.abs(v - (want.data[i] as number))).toBeLessThan(1e-5));
  });
});
