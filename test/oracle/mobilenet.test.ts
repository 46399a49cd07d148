// Networks end to end: MobileNetV1/V2 parameter counts (Keras'), agreement with
// the same network run in TF.js, the memory plan, and one submit per inference.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  createEngine,
  mobilenetV1,
  mobilenetV1Layers,
  mobilenetV2,
  mobilenetV2Layers,
  sequential,
  SepconvError,
  type Engine,
  type LayerSpec,
  type Model,
} from '../../src/index.js';
import { createDefaultDevice, withMembers } from '../support/gpu.js';
import { randomData } from '../support/random.js';
import { runTfjs } from './tfjs-model.js';

let cpu: Engine;
let gpu: Engine;
beforeAll(async () => {
  cpu = await createEngine({ backend: 'cpu' });
  gpu = await createEngine({ backend: 'webgpu' });
});
afterAll(() => {
  cpu?.destroy();
  gpu?.destroy();
});

describe('parameter counts reproduce Keras (BatchNorm counted before folding)', () => {
  test('MobileNet alpha 1.0: 4,253,864 total, 4,231,976 trainable', async () => {
    const m = await mobilenetV1({ engine: cpu });
    expect(m.params()).toMatchObject({ total: 4_253_864, trainable: 4_231_976, nonTrainable: 21_888 });
    // Folding drops 4 values per BN channel and adds one bias per conv output channel.
    expect(m.params().folded).toBe(4_253_864 - 2 * 21_888 + 10_944);
    m.dispose();
  });

  test('MobileNetV2 alpha 1.0: 3,538,984 total, 3,504,872 trainable; summary shows both counts', async () => {
    const m = await mobilenetV2({ engine: cpu });
    expect(m.params()).toMatchObject({ total: 3_538_984, trainable: 3_504_872, nonTrainable: 34_112 });
    const text = m.summary();
    expect(text).toContain('Total params: 3,538,984 (trainable 3,504,872, non-trainable 34,112)');
    expect(text).toMatch(/Params after folding batch norm: 3,487,816 in \d+ GPU ops/);
    expect(text).toMatch(/block_16_project\s+pointwiseConv2d\s+\[7, 7, 320\]\s+307,200/);
    // ~300 M multiply-adds at 224×224, the figure MobileNetV2's paper gives
    expect(m.flops()).toBeGreaterThan(590e6);
    expect(m.flops()).toBeLessThan(610e6);
    m.dispose();
  });
});

// Agreement: relative to the largest logit, since errors of f32 sums grow with
// depth (50+ layers) and the logits' scale. 1e-4 of the largest magnitude is
// ~1000 f32 ulps: room for 50 layers of rounding, far below any real error
// (a wrong padding or channel order changes logits by O(1)).
function agree(got: Float32Array, want: Float32Array) {
  expect(got.length).toBe(want.length);
  const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  let worst = 0;
  got.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - (want[i] as number)))));
  expect(worst / scale).toBeLessThan(1e-4);
}

describe.each([
  ['MobileNetV1', mobilenetV1Layers],
  ['MobileNetV2', mobilenetV2Layers],
])('%s at 64×64 agrees with TF.js running the same layers and weights', (_name, layersOf) => {
  // Without the final softmax, so the comparison sees the logits.
  const layers = (layersOf as (a: number, c: number) => LayerSpec[])(1, 1000).slice(0, -1);
  const x = randomData(2 * 64 * 64 * 3, 3);

  test.each(['cpu', 'webgpu'])('%s backend, batch 2', async (backend) => {
    const engine = backend === 'cpu' ? cpu : gpu;
    const m = sequential(layers, { engine, inputShape: [64, 64, 3], seed: 7 });
    const want = runTfjs(layers, m.weights(), x, [2, 64, 64, 3]);
    const y = m.predict(engine.tensor(x, [2, 64, 64, 3]));
    expect(y.shape).toEqual([2, 1000]);
    agree(await y.read(), want);
    m.dispose();
  });
});

describe('layers that cannot fold or fuse run as ops of their own', () => {
  // A batch norm with nothing before it (a 1×1 depthwise conv), an activation after
  // a softmax (elementwise), a residual block whose last op is a depthwise conv (an
  // add of its own), a batch norm after an activation.
  const layers: LayerSpec[] = [
    { type: 'batchNorm', name: 'bn_in' },
    { type: 'conv2d', filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' },
    { type: 'batchNorm', name: 'bn_after_relu' },
    { type: 'residual', name: 'res', layers: [{ type: 'depthwiseConv2d', kernelSize: 3, padding: 'same' }] },
    { type: 'softmax' },
    { type: 'activation', activation: 'sigmoid' },
  ];
  test.each(['cpu', 'webgpu'])('%s backend agrees with TF.js', async (backend) => {
    const engine = backend === 'cpu' ? cpu : gpu;
    const m = sequential(layers, { engine, inputShape: [9, 7, 3], seed: 5 });
    expect(m.ops().map((o) => o.op)).toEqual(['depthwise', 'conv2d', 'depthwise', 'depthwise', 'binary', 'softmax', 'activation']);
    const x = randomData(2 * 9 * 7 * 3, 4);
    const want = runTfjs(layers, m.weights(), x, [2, 9, 7, 3]);
    agree(await m.predict(engine.tensor(x, [2, 9, 7, 3])).read(), want);
    m.dispose();
  });
});

describe('execution', () => {
  test('the memory plan reuses buffers: peak well under the sum of all activations', async () => {
    const m = await mobilenetV2({ engine: cpu });
    const plan = m.memoryPlan(1);
    expect(plan.buffers).toBeLessThanOrEqual(4);
    expect(plan.peakBytes).toBeLessThan(plan.activationBytes / 2);
    // The largest activations of MobileNetV2 at 224: 112·112·96 (block_1 expand) and
    // 112·112·32 alive together (the depthwise reads one while writing the other).
    expect(plan.peakBytes).toBeGreaterThanOrEqual(4 * 112 * 112 * (96 + 32));
    expect(m.memoryPlan(2).peakBytes).toBe(2 * plan.peakBytes);
    m.dispose();
  });

  test('a whole forward pass is one command buffer and one submit; GPU memory stays at the plan', async () => {
    const device = await createDefaultDevice();
    let submits = 0;
    const queue = withMembers(device.queue, {
      submit(cbs: GPUCommandBuffer[]) {
        submits += cbs.length;
        device.queue.submit(cbs);
      },
    });
    const counting = withMembers(device, { queue });
    // maxDispatchesPerSubmit 8 would split ordinary work into many submits; a model's
    // forward pass still goes in one.
    const e = await createEngine({ backend: 'webgpu', device: counting, maxDispatchesPerSubmit: 8 });
    const model: Model = await mobilenetV2({ engine: e, inputSize: 64, alpha: 0.35, classes: 10 });
    const x = e.tensor(randomData(64 * 64 * 3, 1), [1, 64, 64, 3]);
    await e.flush();
    submits = 0;
    const probs = await model.predict(x).read();
    expect(submits).toBe(1);
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    // A second pass reuses the planned buffers: bytes in use grow by the output only.
    const before = e.memory().bytesInUse;
    const again = model.predict(x);
    await again.read();
    await e.flush();
    expect(e.memory().bytesInUse - before).toBeLessThanOrEqual(256);
    model.dispose();
    e.destroy();
    device.destroy();
  });

  test('profile() times every op and gives the same output as predict()', async () => {
    const m = await mobilenetV2({ engine: gpu, inputSize: 64, alpha: 0.35, classes: 10 });
    const x = gpu.tensor(randomData(64 * 64 * 3, 2), [1, 64, 64, 3]);
    const p = await m.profile(x);
    expect(p.method).toBe(gpu.device?.features.has('timestamp-query') ? 'timestamps' : 'wall clock');
    expect(p.layers.length).toBeGreaterThan(50);
    expect(p.layers[0]).toMatchObject({ name: 'Conv1', op: 'conv2d' });
    expect(p.layers.every((l) => l.ms >= 0)).toBe(true);
    const want = await m.predict(x).read();
    p.output.forEach((v, i) => expect(Math.abs(v - (want[i] as number))).toBeLessThan(1e-6));
    m.dispose();
  });

  test('bad models fail at build time with clear errors', () => {
    expect(() =>
      sequential([{ type: 'residual', layers: [{ type: 'pointwiseConv2d', filters: 4 }] }], { engine: cpu, inputShape: [8, 8, 3] }),
    ).toThrow(/'layers\[0\]': expected a block output of the input shape \[8, 8, 3\], got \[8, 8, 4\]/);
    expect(() => sequential([{ type: 'pointwiseConv2d', filters: 4 }], { engine: cpu, inputShape: [8, 8, 3], weights: [new Float32Array(3)] })).toThrow(
      /options.weights\[0\]': expected a Float32Array of 12 values \(pointwiseConv2d_0 kernel \[1, 1, 3, 4\]\)/,
    );
    expect(() => sequential([{ type: 'maxPool' } as never], { engine: cpu, inputShape: [8, 8, 3] })).toThrow(/'layers\[0\].type': expected a known layer type/);
  });
});
