// GPU buffers in and out without a copy (Node, Dawn): engine.tensorFromBuffer over a
// buffer another compute pass wrote, and tensor.gpuBuffer() read by another compute
// pass; the buffer checks and their errors; the caller's buffer is never destroyed.
import { describe, expect, test } from 'vitest';
import { createDefaultDevice, gpuAndCpuEngines } from '../support/gpu.js';
import { SepconvError, type Engine } from '../../src/index.js';
import { randomData } from '../support/random.js';

// GPUBufferUsage / GPUMapMode values (Node's binding does not define the globals).
const MAP_READ = 0x1;
const COPY_SRC = 0x4;
const COPY_DST = 0x8;
const STORAGE = 0x80;

const engines = gpuAndCpuEngines();

/** A compute pass of the test's own: out[i] = in[i] * scale + shift, on `device`. */
function affinePass(device: GPUDevice, input: GPUBuffer | null, inputOffset: number, output: GPUBuffer, outputOffset: number, count: number, scale: number, shift: number): void {
  const code = `
    @group(0) @binding(0) var<storage, read> src: array<f32>;
    @group(0) @binding(1) var<storage, read_write> dst: array<f32>;
    @compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3u) {
      let i = id.x;
      if (i >= ${count}u) { return; }
      ${input ? `dst[i] = src[i] * ${scale.toFixed(6)} + ${shift.toFixed(6)};` : `dst[i] = f32(i) * ${scale.toFixed(6)} + ${shift.toFixed(6)} + 0.0 * src[0];`}
    }`;
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module: device.createShaderModule({ code }), entryPoint: 'main' } });
  // Without an input, the pass reads a dummy buffer (the binding must exist).
  const src = input ?? device.createBuffer({ size: 16, usage: STORAGE });
  const group = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [
      { binding: 0, resource: { buffer: src, offset: input ? inputOffset : 0, size: input ? count * 4 : 16 } },
      { binding: 1, resource: { buffer: output, offset: outputOffset, size: count * 4 } },
    ],
  });
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, group);
  pass.dispatchWorkgroups(Math.ceil(count / 64));
  pass.end();
  device.queue.submit([encoder.finish()]);
}

/** Reads `count` f32 from `buffer` at `offset` through a staging copy. */
async function readBuffer(device: GPUDevice, buffer: GPUBuffer, offset: number, count: number): Promise<Float32Array> {
  const staging = device.createBuffer({ size: count * 4, usage: MAP_READ | COPY_DST });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(buffer, offset, staging, 0, count * 4);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(MAP_READ);
  const out = new Float32Array(staging.getMappedRange().slice(0));
  staging.destroy();
  return out;
}

/**
 * Largest |got − want|. The block's outputs are sums of ≤ 9 + 8 products of values
 * ≤ 6 in magnitude (relu6 between), so f32 rounding differences between the GPU's
 * and the CPU's order of summation stay below 1e-5; the checks allow 1e-4.
 */
function maxDiff(got: Float32Array, want: Float32Array): number {
  expect(got.length).toBe(want.length);
  return got.reduce((m, v, i) => Math.max(m, Math.abs(v - (want[i] as number))), 0);
}

const expectSepconvError = (fn: () => unknown, code: string, message: RegExp) => {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(SepconvError);
  expect((thrown as SepconvError).code).toBe(code);
  expect((thrown as SepconvError).message).toMatch(message);
};

describe('tensorFromBuffer and gpuBuffer', () => {
  const X: number[] = [1, 9, 11, 8];
  const size = X.reduce((a, b) => a * b, 1);
  /** The values the test's pass writes: i·0.01 − 1. */
  const written = Float32Array.from({ length: size }, (_, i) => Math.fround(Math.fround(i * 0.01) - 1));

  /** A separable block on x: a depthwise 3×3 'same' with relu6, then a pointwise 8 → 12. */
  function block(e: Engine, x: ReturnType<Engine['tensor']>) {
    const dw = e.tensor(randomData(9 * 8, 11), [3, 3, 8, 1]);
    const pw = e.tensor(randomData(8 * 12, 12), [8, 12]);
    return e.pointwiseConv2d(e.depthwiseConv2d(x, dw, { padding: 'same', activation: 'relu6' }), pw);
  }

  test('a buffer another pass wrote goes in (at offset 0 and 512), the result buffer is read by another pass', async () => {
    const { gpu, cpu } = engines;
    const device = gpu.device as GPUDevice;
    for (const offset of [0, 512]) {
      const buffer = device.createBuffer({ size: offset + size * 4 + 64, usage: STORAGE | COPY_SRC | COPY_DST });
      affinePass(device, null, 0, buffer, offset, size, 0.01, -1);
      const x = gpu.tensorFromBuffer(buffer, X, { offset });
      // The tensor reads what the pass wrote (f32 rounding of i·0.01 − 1 is the same on both sides within 1 ulp).
      const xs = await x.read();
      xs.forEach((v, i) => expect(Math.abs(v - (written[i] as number))).toBeLessThanOrEqual(1e-6));

      const y = block(gpu, x);
      const want = await block(cpu, cpu.tensor(xs, X)).read();
      // Same kernels as the fuzz's GPU-vs-CPU check: sums of ≤ 9 + 8 products of O(1) values.
      expect(maxDiff(await y.read(), want)).toBeLessThan(1e-4);

      // Out: the result's buffer, doubled plus one by the test's pass into a buffer of its own.
      const view = await y.gpuBuffer();
      expect(view.size).toBe(y.size * 4);
      expect(view.buffer.size).toBeGreaterThanOrEqual(view.offset + view.size);
      const out = device.createBuffer({ size: view.size, usage: STORAGE | COPY_SRC });
      affinePass(device, view.buffer, view.offset, out, 0, y.size, 2, 1);
      const doubled = await readBuffer(device, out, 0, y.size);
      doubled.forEach((v, i) => expect(Math.abs(v - (2 * (want[i] as number) + 1))).toBeLessThanOrEqual(1e-4));

      // Disposing the tensor leaves the caller's buffer alone: it still holds the data.
      x.dispose();
      y.dispose();
      const again = await readBuffer(device, buffer, offset, size);
      expect(maxDiff(again, xs)).toBe(0);
      buffer.destroy();
      out.destroy();
    }
  });

  test('an NCHW tensor over a buffer', async () => {
    const { gpu, cpu } = engines;
    const device = gpu.device as GPUDevice;
    const nchw = [1, 8, 9, 11];
    const buffer = device.createBuffer({ size: size * 4, usage: STORAGE | COPY_SRC | COPY_DST });
    device.queue.writeBuffer(buffer, 0, written);
    const x = gpu.tensorFromBuffer(buffer, nchw, { layout: 'NCHW' });
    expect(x.layout).toBe('NCHW');
    const y = block(gpu, x);
    const want = await block(cpu, cpu.tensor(written, nchw, { layout: 'NCHW' })).read();
    expect(maxDiff(await y.read(), want)).toBeLessThan(1e-4);
    buffer.destroy();
  });

  test('bad buffers: each check names the argument and what was wrong; the engine stays usable', async () => {
    const { gpu, cpu } = engines;
    const device = gpu.device as GPUDevice;
    const good = device.createBuffer({ size: 1024, usage: STORAGE | COPY_SRC | COPY_DST });
    expectSepconvError(() => gpu.tensorFromBuffer({} as GPUBuffer, [4]), 'INVALID_ARGUMENT', /tensorFromBuffer: argument 'buffer': expected a GPUBuffer/);
    const uniform = device.createBuffer({ size: 1024, usage: 0x40 | COPY_DST });
    expectSepconvError(() => gpu.tensorFromBuffer(uniform, [4]), 'INVALID_ARGUMENT', /STORAGE usage.*got usage COPY_DST \| UNIFORM/);
    expectSepconvError(() => gpu.tensorFromBuffer(good, [257]), 'INVALID_ARGUMENT', /at least 1028 bytes.*got 1024 bytes/);
    expectSepconvError(() => gpu.tensorFromBuffer(good, [4], { offset: 100 }), 'INVALID_ARGUMENT', /options\.offset.*multiple of 256/);
    expectSepconvError(() => gpu.tensorFromBuffer(good, [193], { offset: 256 }), 'INVALID_ARGUMENT', /at least 1028 bytes \(offset 256/);
    expectSepconvError(() => gpu.tensorFromBuffer(good, [0, 4]), 'INVALID_ARGUMENT', /shape/);
    const mapped = device.createBuffer({ size: 64, usage: STORAGE, mappedAtCreation: true });
    expectSepconvError(() => gpu.tensorFromBuffer(mapped, [4]), 'INVALID_ARGUMENT', /unmapped GPUBuffer.*mapState is 'mapped'/);
    mapped.unmap();
    expectSepconvError(() => cpu.tensorFromBuffer(good, [4]), 'INVALID_ARGUMENT', /WebGPU backend.*'cpu' backend/);
    await expect(cpu.tensor([1, 2], [2]).gpuBuffer()).rejects.toThrow(/gpuBuffer: argument 'tensor'.*'cpu' backend/);

    // Without COPY_SRC the tensor feeds ops, but reading it back says why not.
    const noCopy = device.createBuffer({ size: 64, usage: STORAGE | COPY_DST });
    device.queue.writeBuffer(noCopy, 0, new Float32Array([1, -2, 3, -4]));
    const t = gpu.tensorFromBuffer(noCopy, [1, 1, 1, 4]);
    await expect(t.read()).rejects.toThrow(/COPY_SRC/);
    const w = gpu.tensor([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1], [4, 4]);
    expect([...(await gpu.pointwiseConv2d(t, w, { activation: 'relu' }).read())]).toEqual([1, 0, 3, 0]);

    // A buffer of another device: the op using it rejects its read with the reason.
    const other = await createDefaultDevice();
    const foreign = other.createBuffer({ size: 64, usage: STORAGE | COPY_SRC });
    const f = gpu.tensorFromBuffer(foreign, [1, 1, 1, 4]);
    const err = await gpu.pointwiseConv2d(f, w).read().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SepconvError);
    expect((err as SepconvError).code).toBe('INVALID_ARGUMENT');
    expect((err as SepconvError).message).toMatch(/tensorFromBuffer: argument 'buffer': expected a GPUBuffer of this engine's device/);
    other.destroy();

    // Still usable.
    const ok = gpu.tensorFromBuffer(good, [1, 1, 1, 4]);
    device.queue.writeBuffer(good, 0, new Float32Array([5, 6, 7, 8]));
    expect([...(await gpu.pointwiseConv2d(ok, w).read())]).toEqual([5, 6, 7, 8]);
    await expect(gpu.tensor([1], [1]).read()).resolves.toEqual(new Float32Array([1]));
    for (const b of [good, uniform, mapped, noCopy]) b.destroy();
  });

  test('gpuBuffer of a disposed tensor rejects', async () => {
    const { gpu } = engines;
    const t = gpu.tensor([1, 2, 3, 4], [4]);
    t.dispose();
    await expect(t.gpuBuffer()).rejects.toThrow(/DISPOSED|disposed/);
  });
});
