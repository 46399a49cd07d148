// Faults: out-of-memory, device loss and recovery, and concurrent use.
import { describe, expect, test } from 'vitest';
import { createEngine, SepconvError, type Engine } from '../../src/index.js';
import { createDefaultDevice, createGpuEngine, gpuAndCpuEngines, withInjectedOutOfMemory } from '../support/gpu.js';
import { randomData } from '../support/random.js';

async function rejection(p: Promise<unknown>): Promise<SepconvError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SepconvError);
  return err as SepconvError;
}

describe('out of memory', () => {
  test('an allocation the GPU cannot make: read() rejects with GPU_OUT_OF_MEMORY, pools are trimmed, the op can be retried', async () => {
    const device = await createDefaultDevice();
    const view = withInjectedOutOfMemory(device);
    const e = await createEngine({ backend: 'webgpu', device: view.device });
    // A 32 KiB buffer waiting in the pool, for the trim to release.
    e.tensor(new Float32Array(8192), [8192]).dispose();
    await e.flush();
    expect(e.memory().pooledBytes).toBeGreaterThanOrEqual(32768);

    view.arm(1); // the next new buffer (x's) fails to allocate
    const x = e.tensor([1, 2, 3, 4], [1, 2, 2, 1]);
    const w = e.tensor([1, 1, 1, 1], [2, 2, 1, 1]);
    const err = await rejection(e.depthwiseConv2d(x, w).read());
    expect(err.code).toBe('GPU_OUT_OF_MEMORY');
    expect(err.message).toMatch(/sepconv\.depthwiseConv2d: the GPU could not allocate .*released its pooled buffers/);
    expect(e.memory().pooledBytes).toBeLessThan(32768);
    // Retry with a fresh input: works.
    const again = e.depthwiseConv2d(e.tensor([1, 2, 3, 4], [1, 2, 2, 1]), w);
    expect([...(await again.read())]).toEqual([10]);
    e.destroy();
    device.destroy();
  });
});

describe('device loss', () => {
  test('pending reads reject, ops and old tensors say DEVICE_LOST, recover() gives a working engine', async () => {
    const e = await createGpuEngine();
    const x = e.tensor(randomData(16 * 16 * 8, 1), [1, 16, 16, 8]);
    const w = e.tensor(randomData(9 * 8, 2), [3, 3, 8, 1]);
    const pending = [e.depthwiseConv2d(x, w).read(), e.depthwiseConv2d(x, w, { padding: 'same' }).read()];
    e.device!.destroy();
    for (const p of pending) expect((await rejection(p)).code).toBe('DEVICE_LOST');
    expect(e.isLost).toBe(true);
    let thrown: unknown;
    try {
      e.depthwiseConv2d(x, w);
    } catch (err) {
      thrown = err;
    }
    expect((thrown as SepconvError).code).toBe('DEVICE_LOST');
    expect((thrown as Error).message).toMatch(/sepconv\.depthwiseConv2d: the GPU device was lost .*engine\.recover\(\)/);
    expect((await rejection(x.read())).code).toBe('DEVICE_LOST');

    expect(await e.recover()).toBe('webgpu');
    expect(e.isLost).toBe(false);
    expect(() => e.depthwiseConv2d(x, w)).toThrow(/argument 'x': expected a tensor created since the last engine\.recover\(\)/);
    x.dispose(); // harmless
    const y = e.depthwiseConv2d(e.tensor([1, 2, 3, 4], [1, 2, 2, 1]), e.tensor([1, 1, 1, 1], [2, 2, 1, 1]));
    expect([...(await y.read())]).toEqual([10]);
    e.destroy();
  });

  test('an injected device that is lost: recover({ device }) takes a new one', async () => {
    const d1 = await createDefaultDevice();
    const e = await createEngine({ backend: 'webgpu', device: d1 });
    d1.destroy();
    await new Promise((r) => setTimeout(r, 10));
    expect(() => e.tensor([1], [1])).toThrow(SepconvError);
    const d2 = await createDefaultDevice();
    await e.recover({ device: d2 });
    expect(e.device).toBe(d2);
    expect([...(await e.tensor([7], [1]).read())]).toEqual([7]);
    e.destroy();
    d2.destroy();
  });
});

describe('concurrent use', () => {
  const engines = gpuAndCpuEngines();

  const chain = (en: Engine, seed: number) => {
    const x = en.tensor(randomData(8 * 8 * 4, seed), [1, 8, 8, 4]);
    const y = en.depthwiseConv2d(x, en.tensor(randomData(36, seed + 1), [3, 3, 4, 1]), { padding: 'same' });
    x.dispose(); // disposed while the op that reads it is still queued
    return en.pointwiseConv2d(y, en.tensor(randomData(4 * 6, seed + 2), [4, 6]), { activation: 'relu' });
  };

  test('many reads in flight, interleaved ops from several async tasks, each result right', async () => {
    const tasks = Array.from({ length: 12 }, async (_, i) => {
      const results: Float32Array[] = [];
      for (let j = 0; j < 5; j++) {
        const z = chain(engines.gpu, i * 100 + j * 7);
        // Yield between ops so tasks interleave their recording.
        await Promise.resolve();
        results.push(await z.read());
      }
      return results;
    });
    const all = await Promise.all(tasks);
    for (let i = 0; i < 12; i++) {
      for (let j = 0; j < 5; j++) {
        const want = await chain(engines.cpu, i * 100 + j * 7).read();
        const got = all[i]![j]!;
        got.forEach((v, k) => expect(Math.abs(v - want[k]!)).toBeLessThan(1e-5));
      }
    }
  });

  test('reading one tensor many times at once gives identical copies', async () => {
    const z = chain(engines.gpu, 5);
    const reads = await Promise.all(Array.from({ length: 10 }, () => z.read()));
    for (const r of reads) expect(r).toEqual(reads[0]);
    reads[0]![0] = 12345; // copies, not views of one buffer
    expect(reads[1]![0]).not.toBe(12345);
  });
});
