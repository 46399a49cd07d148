// The GPU runtime's pure parts, without a GPU: buffer pool bookkeeping, uniform
// layout, pipeline keys and dispatch grids.
import { describe, expect, test } from 'vitest';
import { BufferPool, bucketSize } from '../../src/gpu/buffer-pool.js';
import { defineKernel, programKey } from '../../src/gpu/pipelines.js';
import { dispatchGrid } from '../../src/gpu/scheduler.js';
import { UniformSchema } from '../../src/gpu/uniforms.js';
import { depthwiseScalar } from '../../src/kernels/depthwise/scalar.js';
import type { DepthwiseConv2dParams } from '../../src/backend.js';

function fakeDevice() {
  let created = 0;
  let destroyed = 0;
  const device = {
    createBuffer: ({ size }: { size: number }) => {
      created++;
      return { size, destroy: () => destroyed++ };
    },
    pushErrorScope: () => {},
    popErrorScope: async () => null,
  } as unknown as GPUDevice;
  return { device, counts: () => ({ created, destroyed }) };
}

describe('bucketSize', () => {
  test('four buckets per power of two, at most 25% waste', () => {
    expect(bucketSize(1)).toBe(256);
    expect(bucketSize(256)).toBe(256);
    expect(bucketSize(257)).toBe(320);
    expect(bucketSize(1024)).toBe(1024);
    expect(bucketSize(1025)).toBe(1280);
    expect(bucketSize(1500)).toBe(1536);
    expect(bucketSize(1792)).toBe(1792);
    expect(bucketSize(1793)).toBe(2048);
    for (let n = 257; n < 100_000; n += 97) {
      const b = bucketSize(n);
      expect(b).toBeGreaterThanOrEqual(n);
      expect(b / n).toBeLessThanOrEqual(1.25);
      expect(b % 4).toBe(0);
    }
  });
});

describe('BufferPool', () => {
  test('reuses a released buffer of the same bucket only after its batch is submitted', () => {
    const { device, counts } = fakeDevice();
    const pool = new BufferPool(device, 0, 'test');
    const a = pool.acquire(1000).buffer;
    pool.release(a, 3); // last used by batch 3, not yet submitted
    const b = pool.acquire(1000).buffer;
    expect(b).not.toBe(a);
    pool.onSubmitted(2);
    expect(pool.acquire(1000).buffer).not.toBe(a);
    pool.onSubmitted(3);
    expect(pool.acquire(1000).buffer).toBe(a);
    expect(counts().created).toBe(3);
  });

  test('stats follow acquire, release and trim', () => {
    const { device, counts } = fakeDevice();
    const pool = new BufferPool(device, 0, 'test');
    const a = pool.acquire(1024).buffer;
    const b = pool.acquire(4000).buffer; // bucket 4096
    expect(pool.stats()).toEqual({ bytesAllocated: 5120, bytesInUse: 5120, buffers: 2, pooledBytes: 0 });
    pool.release(a, -1);
    expect(pool.stats()).toEqual({ bytesAllocated: 5120, bytesInUse: 4096, buffers: 2, pooledBytes: 1024 });
    pool.trim();
    expect(pool.stats()).toEqual({ bytesAllocated: 4096, bytesInUse: 4096, buffers: 1, pooledBytes: 0 });
    expect(counts().destroyed).toBe(1);
    pool.release(b, -1);
    pool.destroyAll();
    expect(pool.stats()).toEqual({ bytesAllocated: 0, bytesInUse: 0, buffers: 0, pooledBytes: 0 });
  });

  test('free lists are capped', () => {
    const { device, counts } = fakeDevice();
    const pool = new BufferPool(device, 0, 'test');
    const held = Array.from({ length: 20 }, () => pool.acquire(512).buffer);
    held.forEach((buf) => pool.release(buf, -1));
    expect(pool.stats().buffers).toBe(8);
    expect(counts().destroyed).toBe(12);
  });
});

describe('UniformSchema', () => {
  test('WGSL struct text and byte layout come from the same fields', () => {
    const s = new UniformSchema('P', [
      ['a', 'u32'],
      ['b', 'i32'],
      ['c', 'f32'],
      ['d', 'u32'],
      ['e', 'u32'],
    ] as const);
    expect(s.wgsl).toBe('struct P {\n  a: u32,\n  b: i32,\n  c: f32,\n  d: u32,\n  e: u32,\n}\n');
    expect(s.byteSize).toBe(32);
    const buf = new ArrayBuffer(s.byteSize + 8);
    s.write({ a: 7, b: -2, c: 0.5, d: 1, e: 2 }, new DataView(buf), 8);
    const v = new DataView(buf);
    expect([v.getUint32(8, true), v.getInt32(12, true), v.getFloat32(16, true), v.getUint32(20, true), v.getUint32(24, true)]).toEqual([7, -2, 0.5, 1, 2]);
  });
});

describe('pipeline keys', () => {
  const base: DepthwiseConv2dParams = {
    batch: 1, inH: 8, inW: 8, kH: 3, kW: 3, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1,
    pad: { top: 1, bottom: 1, left: 1, right: 1 }, outH: 8, outW: 8, channels: 4, multiplier: 1, act: { activation: 'linear', alpha: 0, beta: 0 },
  };
  test('everything baked into the shader changes the key; shapes do not', () => {
    const key = (p: Partial<DepthwiseConv2dParams>, bias = false) => {
      const call = { params: { ...base, ...p }, bias, residual: false, depthwiseBias: false };
      return programKey({ kernel: depthwiseScalar.shader(call), constants: depthwiseScalar.constants(call, {}) });
    };
    const k0 = key({});
    expect(key({ inH: 99, channels: 7, strideH: 2, pad: { top: 0, bottom: 0, left: 0, right: 0 } })).toBe(k0);
    // alpha and beta are uniforms, not baked in
    expect(key({ act: { activation: 'linear', alpha: 0.3, beta: 0.7 } })).toBe(k0);
    const variants = [key({ kH: 5 }), key({ kW: 5 }), key({ act: { activation: 'relu', alpha: 0, beta: 0 } }), key({ act: { activation: 'relu6', alpha: 0, beta: 0 } }), key({}, true)];
    expect(new Set([k0, ...variants]).size).toBe(6);
  });
  test('a different shader source gives a different key', () => {
    const a = defineKernel('k', ['fn main() {}'], ['write']);
    const b = defineKernel('k', ['fn main() { }'], ['write']);
    expect(programKey({ kernel: a, constants: { X: 1 } })).not.toBe(programKey({ kernel: b, constants: { X: 1 } }));
  });
});

describe('dispatchGrid', () => {
  test('fits every dimension under the limit and covers the total', () => {
    for (const total of [1, 100, 65_535, 65_536, 67_600, 1_000_000, 65_535 * 65_535 + 5]) {
      const [x, y, z] = dispatchGrid(total, 65_535);
      expect(Math.max(x, y, z)).toBeLessThanOrEqual(65_535);
      expect(x * y * z).toBeGreaterThanOrEqual(total);
      // Folding wastes less than one row of the grid.
      expect(x * y * z - total).toBeLessThan(x * y);
    }
    expect(dispatchGrid(10, 4)).toEqual([4, 3, 1]);
  });
});
