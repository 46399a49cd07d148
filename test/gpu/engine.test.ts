// Engine behaviour on the GPU: backend choice, injected devices, queued work and
// GPU-side errors.
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { createEngine, SepconvError, type Engine } from '../../src/index.js';
import { PipelineCache, defineKernel } from '../../src/gpu/pipelines.js';
import { createDefaultDevice, createGpuEngine, testGpuEntry, withLimits, withMembers } from '../support/gpu.js';

let gpu: Engine;
beforeAll(async () => {
  gpu = await createGpuEngine();
});
afterAll(() => gpu?.destroy());

describe("'auto'", () => {
  /** Runs `fn` with navigator.gpu replaced by `gpu` (Node 20 has no navigator; later ones have one without gpu). */
  async function withNavigatorGpu<T>(gpu: GPU, fn: () => Promise<T>): Promise<T> {
    vi.stubGlobal('navigator', { gpu });
    try {
      return await fn();
    } finally {
      vi.unstubAllGlobals();
    }
  }

  /** The real adapter (SwiftShader here) presented as `info` says. */
  async function adapterAs(info: Partial<GPUAdapterInfo>): Promise<GPU> {
    const real = await testGpuEntry();
    return {
      requestAdapter: async (o?: GPURequestAdapterOptions) => {
        const a = await real.requestAdapter(o);
        if (!a) return null;
        return { info: { ...a.info, ...info }, limits: a.limits, features: a.features, requestDevice: (d?: GPUDeviceDescriptor) => a.requestDevice(d) } as unknown as GPUAdapter;
      },
    } as unknown as GPU;
  }

  test('a software adapter (SwiftShader, the one here) gives the wasm backend, which computes', async () => {
    const e = await createEngine();
    expect(e.backend).toBe('wasm');
    expect(e.adapter).toBeNull();
    expect([...(await e.pointwiseConv2d(e.tensor([1, 2], [1, 1, 1, 2]), e.tensor([3, 4], [2, 1])).read())]).toEqual([11]);
    e.destroy();
  });

  test('a hardware adapter gives WebGPU; so does an injected device whatever its adapter', async () => {
    const e = await withNavigatorGpu(await adapterAs({ vendor: 'nvidia', architecture: 'ampere', description: 'a hardware adapter (test double)' }), () => createEngine());
    expect(e.backend).toBe('webgpu');
    expect(e.adapter?.vendor).toBe('nvidia');
    expect([...(await e.pointwiseConv2d(e.tensor([1, 2], [1, 1, 1, 2]), e.tensor([3, 4], [2, 1])).read())]).toEqual([11]);
    e.destroy();
    // The same double, flagged a fallback adapter by the browser: wasm.
    const f = await withNavigatorGpu(await adapterAs({ vendor: 'nvidia', isFallbackAdapter: true } as Partial<GPUAdapterInfo>), () => createEngine());
    expect(f.backend).toBe('wasm');
    f.destroy();
    const device = await createDefaultDevice();
    const g = await createEngine({ device });
    expect(g.backend).toBe('webgpu');
    g.destroy();
    device.destroy();
  });
});

describe('an injected device', () => {
  test('is used, and survives engine.destroy()', async () => {
    const device = await createDefaultDevice();
    const e = await createEngine({ backend: 'webgpu', device });
    expect(e.device).toBe(device);
    const y = e.pointwiseConv2d(e.tensor([1, 2], [1, 1, 1, 2]), e.tensor([3, 4], [2, 1]));
    expect([...(await y.read())]).toEqual([11]);
    e.destroy();
    // The device is the caller's: still usable.
    const b = device.createBuffer({ size: 16, usage: 0x0080 });
    b.destroy();
    const e2 = await createEngine({ backend: 'webgpu', device });
    expect([...(await e2.tensor([5], [1]).read())]).toEqual([5]);
    e2.destroy();
    device.destroy();
  });
});

describe('queued work', () => {
  test('ops return before the GPU runs; a tensor disposed while queued is still seen by the op', async () => {
    const x = gpu.tensor([1, 2, 3, 4], [1, 2, 2, 1]);
    const w = gpu.tensor([1, 1, 1, 1], [2, 2, 1, 1]);
    const y = gpu.depthwiseConv2d(x, w);
    x.dispose();
    w.dispose();
    // The freed buffers must not be reused for these uploads before the op has run.
    const junk = [gpu.tensor([9, 9, 9, 9], [4]), gpu.tensor([9, 9, 9, 9], [4])];
    expect([...(await y.read())]).toEqual([10]);
    junk.forEach((t) => t.dispose());
  });

  test('many dispatches split into several submits still give the right chain', async () => {
    const e = await createEngine({ backend: 'webgpu', maxDispatchesPerSubmit: 3 });
    let t = e.tensor([1, -2, 3, -4], [1, 2, 2, 1]);
    for (let i = 0; i < 10; i++) t = e.pointwiseConv2d(t, e.tensor([2], [1, 1]));
    expect([...(await t.read())]).toEqual([1024, -2048, 3072, -4096]);
    // Reading twice works and gives the same data.
    expect([...(await t.read())]).toEqual([1024, -2048, 3072, -4096]);
    e.destroy();
  });

  test('memory() counts tensors and pooled buffers', async () => {
    const e = await createGpuEngine();
    const before = e.memory();
    const t = e.tensor(new Float32Array(1000), [1000]);
    const during = e.memory();
    expect(during.bytesInUse - before.bytesInUse).toBeGreaterThanOrEqual(4000);
    t.dispose();
    await e.flush();
    expect(e.memory().bytesInUse).toBe(before.bytesInUse);
    expect(e.memory().pooledBytes).toBeGreaterThan(0);
    e.destroy();
  });

  test('printShaders prints the generated WGSL once per pipeline', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const e = await createEngine({ backend: 'webgpu', printShaders: true });
    const x = e.tensor(new Float32Array(16), [1, 4, 4, 1]);
    await e.depthwiseConv2d(x, e.tensor(new Float32Array(4), [2, 2, 1, 1])).read();
    await e.depthwiseConv2d(x, e.tensor(new Float32Array(4), [2, 2, 1, 1])).read();
    const printed = log.mock.calls.map((c) => String(c[0])).filter((s) => s.startsWith('[sepconv] pipeline'));
    log.mockRestore();
    expect(printed.length).toBe(1);
    expect(printed[0]).toMatch(/depthwise_scalar#[0-9a-f]{8}\{ACTIVATION=0,HAS_BIAS=0,KH=2,KW=2,WG=64\}/);
    expect(printed[0]).toContain('struct DepthwiseParams {');
    e.destroy();
  });
});

describe('GPU errors become Errors naming the op', () => {
  test('work the device rejects: read() rejects with GPU_VALIDATION naming the op, the engine keeps working', async () => {
    // The view claims a dispatch may have 10^9 workgroups per dimension: sepconv
    // does not fold the grid, and the real device rejects the dispatch.
    const device = await createDefaultDevice();
    // One output per invocation (the scalar depthwise kernel) makes the dispatch large.
    const e = await createEngine({
      backend: 'webgpu',
      device: withLimits(device, { maxComputeWorkgroupsPerDimension: 1e9 }),
      kernels: { depthwise: 'scalar' },
    });
    // 520·520·16 outputs / 64 per workgroup = 67,600 workgroups > 65,535
    const y = e.depthwiseConv2d(e.tensor(new Float32Array(520 * 520 * 16), [1, 520, 520, 16]), e.tensor(new Float32Array(9 * 16), [3, 3, 16, 1]));
    const err = await y.read().then(
      () => null,
      (x: unknown) => x,
    );
    expect(err).toBeInstanceOf(SepconvError);
    expect((err as SepconvError).code).toBe('GPU_VALIDATION');
    expect((err as Error).message).toMatch(/sepconv\.depthwiseConv2d: the GPU rejected a batch with depthwiseConv2d/);
    y.dispose();
    const z = e.depthwiseConv2d(e.tensor([1, 2, 3], [1, 1, 3, 1]), e.tensor([1, 1], [1, 2, 1, 1]));
    expect([...(await z.read())]).toEqual([3, 5]);
    e.destroy();
    device.destroy();
  });

  test('a shader that does not compile rejects with SHADER_COMPILE and the compiler message', async () => {
    const device = await createDefaultDevice();
    const cache = new PipelineCache(device);
    const broken = defineKernel('broken', ['@compute @workgroup_size(1) fn main() { let a: u32 = 1.5; }'], ['write']);
    const err = await cache.get({ kernel: broken, constants: {} }, 'depthwiseConv2d').catch((x: unknown) => x);
    expect(err).toBeInstanceOf(SepconvError);
    expect((err as SepconvError).code).toBe('SHADER_COMPILE');
    expect((err as Error).message).toMatch(/sepconv\.depthwiseConv2d: GPU pipeline 'broken#[0-9a-f]+\{\}' failed to compile/);
    expect((err as Error).message).toMatch(/error at 1:/);
    device.destroy();
  });
});

describe('transpose', () => {
  test.each([
    [[2, 3, 4, 5], [0, 3, 1, 2]],
    [[2, 3, 4, 5], [3, 2, 1, 0]],
    [[7, 9], [1, 0]],
    [[3, 4, 5], [1, 2, 0]],
    [[6], [0]],
  ])('%j by %j: GPU = CPU', async (shape, perm) => {
    const cpu = await createEngine({ backend: 'cpu' });
    const data = Float32Array.from({ length: shape.reduce((a, b) => a * b) }, (_, i) => i);
    const g = gpu.transpose(gpu.tensor(data, shape), perm);
    const c = cpu.transpose(cpu.tensor(data, shape), perm);
    expect(g.shape).toEqual(perm.map((d) => shape[d]));
    expect(await g.read()).toEqual(await c.read());
    cpu.destroy();
  });

  test('CPU transpose against hand-written indices', async () => {
    const cpu = await createEngine({ backend: 'cpu' });
    // [[0, 1, 2], [3, 4, 5]]ᵀ = [[0, 3], [1, 4], [2, 5]]
    const t = cpu.transpose(cpu.tensor([0, 1, 2, 3, 4, 5], [2, 3]), [1, 0]);
    expect([...(await t.read())]).toEqual([0, 3, 1, 4, 2, 5]);
    cpu.destroy();
  });
});

describe('runtime overhead', () => {
  test('warmup() compiles and runs the ops once, disposes their tensors, and later calls compile nothing', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const e = await createEngine({ backend: 'webgpu', printShaders: true });
    const w = e.tensor(new Float32Array(9 * 8), [3, 3, 8, 1]);
    const before = e.memory().bytesInUse;
    const ms = await e.warmup(() => e.depthwiseConv2d(e.tensor(new Float32Array(64 * 8), [1, 8, 8, 8]), w, { padding: 'same' }));
    expect(ms).toBeGreaterThan(0);
    await e.flush();
    expect(e.memory().bytesInUse).toBe(before);
    const compiled = log.mock.calls.length;
    expect(compiled).toBeGreaterThan(0);
    await e.depthwiseConv2d(e.tensor(new Float32Array(16 * 16 * 8), [1, 16, 16, 8]), w, { padding: 'same' }).read();
    expect(log.mock.calls.length).toBe(compiled);
    log.mockRestore();
    e.destroy();
  });

  test('bind groups are cached: repeating an op on the same buffers creates no new ones', async () => {
    const device = await createDefaultDevice();
    let created = 0;
    const counting = withMembers(device, {
      createBindGroup(d: GPUBindGroupDescriptor) {
        created++;
        return device.createBindGroup(d);
      },
    });
    const e = await createEngine({ backend: 'webgpu', device: counting });
    const x = e.tensor(new Float32Array(64), [1, 4, 4, 4]);
    const w = e.tensor(new Float32Array(16), [4, 4]);
    // Each iteration: one op, read, dispose. The output's pooled buffer comes back,
    // with the same uniform buffer: after the first, every bind group is a cache hit.
    for (let i = 0; i < 10; i++) {
      const y = e.pointwiseConv2d(x, w);
      await y.read();
      y.dispose();
      await e.flush();
    }
    expect(created).toBeLessThanOrEqual(3);
    e.destroy();
    device.destroy();
  });
});
