// Compiling ahead (issue 14): engine.compile() and models, which start compiling
// their pipelines when they are built. Watched through a device whose
// createComputePipelineAsync records what it is asked for: the only way sepconv
// makes pipelines.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createEngine, sequential, SepconvError, type Engine, type LayerSpec, type Tensor } from '../../src/index.js';
import { createDefaultDevice, withMembers } from '../support/gpu.js';
import { randomData } from '../support/random.js';

/** An engine on its own device that records every pipeline label sepconv asks for. */
async function watchedEngine(): Promise<{ engine: Engine; requested: string[] }> {
  const device = await createDefaultDevice();
  const requested: string[] = [];
  const watched = withMembers(device, {
    createComputePipelineAsync: (d: GPUComputePipelineDescriptor) => {
      requested.push(d.label ?? '');
      return device.createComputePipelineAsync(d);
    },
  });
  const engine = await createEngine({ backend: 'webgpu', device: watched });
  return { engine, requested };
}

const LAYERS: LayerSpec[] = [
  { type: 'conv2d', filters: 8, kernelSize: 3, strides: 2, padding: 'same' },
  { type: 'activation', activation: 'relu6' },
  { type: 'residual', layers: [{ type: 'depthwiseConv2d', kernelSize: 3, padding: 'same' }, { type: 'pointwiseConv2d', filters: 8 }] },
  { type: 'globalAveragePool' },
  { type: 'dense', units: 4 },
  { type: 'flatten' },
  { type: 'softmax' },
];

describe('compiling ahead', () => {
  let w: Awaited<ReturnType<typeof watchedEngine>>;
  beforeAll(async () => {
    w = await watchedEngine();
  });
  afterAll(() => w?.engine.destroy());

  test('a model asks for every pipeline of a batch-1 forward pass when it is built; predict() then asks for none', async () => {
    const { engine, requested } = w;
    const before = requested.length;
    const model = sequential(LAYERS, { engine, inputShape: [16, 16, 3], seed: 3 });
    const atBuild = requested.slice(before);
    // conv, depthwise, pointwise (+ residual), pool, dense and softmax: several kernels.
    expect(atBuild.length).toBeGreaterThanOrEqual(4);
    const x = engine.tensor(randomData(16 * 16 * 3, 1), [1, 16, 16, 3]);
    const y = model.predict(x) as Tensor;
    const out = await y.read();
    expect(requested.slice(before)).toEqual(atBuild);
    // The compile-ahead pass computed nothing and broke nothing: the output is a distribution.
    expect(out.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 5);
    // Same answer as a model built on the CPU with the same seed.
    const cpu = await createEngine({ backend: 'cpu' });
    const ref = await (sequential(LAYERS, { engine: cpu, inputShape: [16, 16, 3], seed: 3 }).predict(cpu.tensor(randomData(16 * 16 * 3, 1), [1, 16, 16, 3])) as Tensor).read();
    out.forEach((v, i) => expect(Math.abs(v - (ref[i] as number))).toBeLessThan(1e-5));
    cpu.destroy();
    x.dispose();
    y.dispose();
    model.dispose();
  });

  test('engine.compile() records without running, resolves with the number of pipelines, and the run then compiles nothing', async () => {
    // An engine of its own, so the counts do not depend on what other tests compiled.
    const { engine, requested } = await watchedEngine();
    const x = engine.tensor(randomData(2 * 12 * 12 * 4, 2), [2, 12, 12, 4]);
    const dw = engine.tensor(randomData(5 * 5 * 4, 3), [5, 5, 4, 1]);
    const pw = engine.tensor(randomData(4 * 12, 4), [4, 12]);
    const run = () => engine.pointwiseConv2d(engine.depthwiseConv2d(x, dw, { padding: 'same', activation: 'elu' }), pw, { activation: 'hardSwish' });
    const inUse = engine.memory().bytesInUse;
    const before = requested.length;
    let made: Tensor | undefined;
    const n = await engine.compile(() => (made = run()));
    expect(n).toBe(2);
    expect(requested.length - before).toBe(2);
    // What fn made is disposed and its memory back in the pool.
    expect(made?.isDisposed).toBe(true);
    expect(engine.memory().bytesInUse).toBe(inUse);
    const y = run();
    await y.read();
    expect(requested.length - before).toBe(2);
    // Asking again for compiled pipelines: the same number, nothing new requested.
    expect(await engine.compile(run)).toBe(2);
    expect(requested.length - before).toBe(2);
    engine.destroy();
  });

  test('argument and nesting errors name the op; the engine stays usable', async () => {
    const { engine } = w;
    await expect(engine.compile(42 as unknown as () => void)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining("sepconv.compile: argument 'fn'") });
    const a = engine.tensor([1, 2, 3, 4], [4]);
    let inner: unknown;
    await engine.compile(() => {
      try {
        engine.explain(() => engine.add(a, a));
      } catch (e) {
        inner = e;
      }
      return engine.add(a, a);
    });
    expect(inner).toBeInstanceOf(SepconvError);
    expect((inner as SepconvError).message).toContain('no tune(), explain() or compile() running');
    expect(Array.from(await engine.add(a, a).read())).toEqual([2, 4, 6, 8]);
    a.dispose();
  });

  test('the CPU backend has nothing to compile', async () => {
    const cpu = await createEngine({ backend: 'cpu' });
    expect(await cpu.compile(() => cpu.add(cpu.tensor([1], [1]), cpu.tensor([2], [1])))).toBe(0);
    cpu.destroy();
  });
});
