// Hardware limits: tensors larger than one binding run in bands of rows, and
// dispatches with more workgroups than one grid dimension allows are folded.
// Cheap coverage uses a view of the device with lowered limits; the sizes the
// issue names run once on a device with WebGPU's default limits.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createEngine, type Engine, type PaddingOption, type Tensor } from '../../src/index.js';
import { abs, firstMismatch } from '../support/compare.js';
import { createDefaultDevice, withLimits } from '../support/gpu.js';
import { randomData } from '../support/random.js';

let device: GPUDevice;
let cpu: Engine;
beforeAll(async () => {
  device = await createDefaultDevice();
  cpu = await createEngine({ backend: 'cpu' });
});
afterAll(() => {
  cpu?.destroy();
  device?.destroy();
});

interface Case {
  name: string;
  run: (e: Engine, data: Float32Array[]) => Tensor;
  sizes: number[];
}

const conv = (padding: PaddingOption, stride: number, dilation: number) => ({ padding, stride, dilation });

const CASES: Case[] = [
  {
    name: 'depthwise 3×3 same, multiplier 2, batch 2',
    sizes: [2 * 23 * 19 * 5, 9 * 5 * 2, 10],
    run: (e, [x, w, b]) =>
      e.depthwiseConv2d(e.tensor(x!, [2, 23, 19, 5]), e.tensor(w!, [3, 3, 5, 2]), { ...conv('same', 1, 1), bias: e.tensor(b!, [10]), activation: 'relu6' }),
  },
  {
    name: 'depthwise 5×3 stride 2 dilation 2, explicit padding',
    sizes: [1 * 31 * 17 * 7, 15 * 7],
    run: (e, [x, w]) => e.depthwiseConv2d(e.tensor(x!, [1, 31, 17, 7]), e.tensor(w!, [5, 3, 7, 1]), { padding: [3, 1, 0, 2], stride: 2, dilation: 2 }),
  },
  {
    name: 'depthwise 3×3 stride 1 and 2 on 8 channels (the specialised 3×3 kernel), batch 2',
    sizes: [2 * 19 * 21 * 8, 9 * 8],
    run: (e, [x, w]) => {
      const xt = e.tensor(x!, [2, 19, 21, 8]);
      const wt = e.tensor(w!, [3, 3, 8, 1]);
      const a = e.depthwiseConv2d(xt, wt, { padding: 'same' });
      return e.depthwiseConv2d(a, wt, { padding: 'same', stride: 2, activation: 'relu6' });
    },
  },
  {
    name: 'depthwise 5×5 same on 12 channels (the 5×5 strip kernel), batch 2',
    sizes: [2 * 23 * 9 * 12, 25 * 12, 12],
    run: (e, [x, w, b]) =>
      e.depthwiseConv2d(e.tensor(x!, [2, 23, 9, 12]), e.tensor(w!, [5, 5, 12, 1]), { padding: 'same', bias: e.tensor(b!, [12]), activation: 'relu' }),
  },
  {
    name: 'pointwise 37 → 29',
    sizes: [3 * 11 * 13 * 37, 37 * 29, 29],
    run: (e, [x, w, b]) => e.pointwiseConv2d(e.tensor(x!, [3, 11, 13, 37]), e.tensor(w!, [37, 29]), { bias: e.tensor(b!, [29]), activation: 'tanh' }),
  },
  {
    name: 'pointwise 37 → 32 (as a 1×1 conv on software adapters: K not a multiple of 4)',
    sizes: [3 * 11 * 13 * 37, 37 * 32, 32],
    run: (e, [x, w, b]) => e.pointwiseConv2d(e.tensor(x!, [3, 11, 13, 37]), e.tensor(w!, [37, 32]), { bias: e.tensor(b!, [32]), activation: 'relu' }),
  },
  {
    name: 'conv2d 3×3 stride 2 groups 2, batch 2',
    sizes: [2 * 21 * 15 * 6, 9 * 3 * 8],
    run: (e, [x, w]) => e.conv2d(e.tensor(x!, [2, 21, 15, 6]), e.tensor(w!, [3, 3, 3, 8]), { ...conv('same', 2, 1), groups: 2 }),
  },
  {
    name: 'conv2d 3×3 same 5 → 16 (8 output channels per invocation on software adapters), batch 2',
    sizes: [2 * 19 * 13 * 5, 9 * 5 * 16, 16],
    run: (e, [x, w, b]) => e.conv2d(e.tensor(x!, [2, 19, 13, 5]), e.tensor(w!, [3, 3, 5, 16]), { padding: 'same', bias: e.tensor(b!, [16]) }),
  },
  {
    name: 'maxPool 3×3 stride 2 same on 5 channels (the scalar pooling kernel), batch 2',
    sizes: [2 * 23 * 19 * 5],
    run: (e, [x]) => e.maxPool(e.tensor(x!, [2, 23, 19, 5]), { kernelSize: 3, stride: 2, padding: 'same' }),
  },
  {
    name: 'avgPool 2×3 stride 1, explicit padding counted, on 8 channels (the vec4 pooling kernel), batch 2',
    sizes: [2 * 21 * 17 * 8],
    run: (e, [x]) => e.avgPool(e.tensor(x!, [2, 21, 17, 8]), { kernelSize: [2, 3], stride: 1, padding: [1, 0, 2, 1], countIncludePad: true }),
  },
  {
    name: 'separable 3×3 on NCHW input',
    sizes: [2 * 4 * 17 * 13, 9 * 4 * 3, 12 * 4],
    run: (e, [x, w, p]) =>
      e.separableConv2d(e.tensor(x!, [2, 4, 17, 13], { layout: 'NCHW' }), e.tensor(w!, [3, 3, 4, 3]), e.tensor(p!, [12, 4]), { padding: 'same' }),
  },
];

describe('lowered limits: bands of rows and folded grids give the same numbers', () => {
  // 8 KiB bindings force bands (every case has a tensor of 14 KiB or more, while
  // filters, NCHW transposes and single rows still fit); a grid of at most 5
  // workgroups per dimension forces 2-D and 3-D folding.
  test.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const e = await createEngine({
      backend: 'webgpu',
      device: withLimits(device, { maxStorageBufferBindingSize: 8192, maxComputeWorkgroupsPerDimension: 5 }),
    });
    expect(e.limits?.maxStorageBufferBindingSize).toBe(8192);
    const data = c.sizes.map((n, i) => randomData(n, 100 + i));
    const got = await c.run(e, data).read();
    const want = await c.run(cpu, data).read();
    const magnitude = await c.run(cpu, data.map(abs)).read();
    // tanh is within a few ULP of values ≤ 1 (see test/oracle/fuzz.test.ts)
    expect(firstMismatch(got, want, magnitude.map((m) => m + 0.4))).toBeNull();
    e.destroy();
  });

  test('a single row larger than a binding cannot be split: TOO_LARGE at the call', async () => {
    const e = await createEngine({ backend: 'webgpu', device: withLimits(device, { maxStorageBufferBindingSize: 1024 }) });
    // One output row = 300 pixels · 4 channels · 4 B = 4800 B > 1024 B.
    expect(() => e.pointwiseConv2d(e.tensor(new Float32Array(300 * 4), [1, 1, 300, 4]), e.tensor(new Float32Array(16), [4, 4]))).not.toThrow();
    expect(() => e.depthwiseConv2d(e.tensor(new Float32Array(300 * 4), [1, 1, 300, 4]), e.tensor(new Float32Array(4), [1, 1, 4, 1]))).toThrow(
      /depthwiseConv2d: argument 'x': expected one output row and its input rows within maxStorageBufferBindingSize \(1024 bytes\)/,
    );
    expect(() => e.transpose(e.tensor(new Float32Array(300 * 4), [300, 4]), [1, 0])).toThrow(/transpose: argument 'x': expected at most maxStorageBufferBindingSize = 1024 bytes/);
    // add/sub/mul/div bind their operands and output whole: [16, 1] · [1, 32] is 2048 bytes out.
    expect(() => e.mul(e.tensor(new Float32Array(16), [16, 1]), e.tensor(new Float32Array(32), [1, 32]))).toThrow(/mul: argument 'output': expected at most maxStorageBufferBindingSize = 1024 bytes/);
    expect(() => e.sub(e.tensor([1], [1]), e.tensor(new Float32Array(300), [300]))).toThrow(/sub: argument 'b': expected at most maxStorageBufferBindingSize = 1024 bytes/);
    expect([...(await e.add(e.tensor([1, 2], [2]), e.tensor([3], [1])).read())]).toEqual([4, 5]);
    expect(() => e.maxPool(e.tensor(new Float32Array(300 * 4), [1, 1, 300, 4]), { kernelSize: 1 })).toThrow(
      /maxPool: argument 'x': expected one output row and its input rows within maxStorageBufferBindingSize \(1024 bytes\)/,
    );
    // concat, pad and matMul's b bind their tensors whole (800 B fits, 1200 B does not).
    const v200 = () => e.tensor(new Float32Array(200), [200]);
    expect(() => e.concat([v200(), v200()])).toThrow(/concat: argument 'output': expected at most maxStorageBufferBindingSize = 1024 bytes/);
    expect(() => e.concat([e.tensor(new Float32Array(300), [300]), v200()])).toThrow(/concat: argument 'tensors\[0\]': expected at most maxStorageBufferBindingSize = 1024 bytes/);
    expect(() => e.pad(v200(), [[0, 100]])).toThrow(/pad: argument 'output': expected at most maxStorageBufferBindingSize = 1024 bytes/);
    expect(() => e.matMul(e.tensor(new Float32Array(4), [1, 4]), e.tensor(new Float32Array(400), [4, 100]))).toThrow(
      /matMul: argument 'b': expected at most maxStorageBufferBindingSize = 1024 bytes/,
    );
    // The engine still runs what fits.
    expect([...(await e.concat([e.tensor([1, 2], [2]), e.tensor([3], [1])]).read())]).toEqual([1, 2, 3]);
    e.destroy();
  });

  test('a tensor larger than maxBufferSize: TOO_LARGE at the call', async () => {
    const e = await createEngine({ backend: 'webgpu', device: withLimits(device, { maxBufferSize: 4096 }) });
    expect(() => e.tensor(new Float32Array(2000), [2000])).toThrow(/tensor: argument 'shape': expected a tensor of at most the device's maxBufferSize \(4096 bytes\), got \[2000\] = 2000 elements = 8000 bytes/);
    const x = e.tensor(new Float32Array(1000), [1, 10, 10, 10]);
    expect(() => e.pointwiseConv2d(x, e.tensor(new Float32Array(100), [10, 10]))).not.toThrow();
    expect(() => e.pointwiseConv2d(x, e.tensor(new Float32Array(110), [10, 11]))).toThrow(
      /pointwiseConv2d: argument 'output': expected a tensor of at most the device's maxBufferSize \(4096 bytes\), got \[1, 10, 10, 11\] = 1100 elements = 4400 bytes/,
    );
    e.destroy();
  });
});

describe('default WebGPU limits (128 MiB bindings, 256 MiB buffers): the sizes real networks hit', () => {
  // Output rows sampled across the image, densely around where bands meet (a band
  // of these shapes is ~1,000 rows), checked against the CPU backend run on just
  // the input rows each sampled row reads.
  const ROWS = [...new Set([1, 2, 3, ...Array.from({ length: 60 }, (_, i) => 4 + i * 67), ...range(1015, 1035), ...range(2035, 2046)])];
  function range(a: number, b: number) {
    return Array.from({ length: b - a }, (_, i) => a + i);
  }

  test('depthwise 3×3 same on [1, 2048, 2048, 16] (256 MiB in and out) runs in bands', async () => {
    const e = await createEngine({ backend: 'webgpu', device });
    expect(e.limits?.maxStorageBufferBindingSize).toBe(128 * 1024 * 1024);
    const [H, W, C] = [2048, 2048, 16];
    const x = randomData(H * W * C, 1);
    const w = randomData(9 * C, 2);
    const got = await e.depthwiseConv2d(e.tensor(x, [1, H, W, C]), e.tensor(w, [3, 3, C, 1]), { padding: 'same' }).read();
    const rowElems = W * C;
    const cw = cpu.tensor(w, [3, 3, C, 1]);
    const wAbs = cpu.tensor(abs(w), [3, 3, C, 1]);
    for (const r of ROWS.filter((r) => r >= 1 && r <= H - 2)) {
      // Output row r reads input rows r-1..r+1; horizontal 'same' padding is [1, 1].
      const crop = x.subarray((r - 1) * rowElems, (r + 2) * rowElems);
      const opts = { padding: [0, 0, 1, 1] as [number, number, number, number] };
      const want = await cpu.depthwiseConv2d(cpu.tensor(crop, [1, 3, W, C]), cw, opts).read();
      const magnitude = await cpu.depthwiseConv2d(cpu.tensor(abs(crop), [1, 3, W, C]), wAbs, opts).read();
      const m = firstMismatch(got.subarray(r * rowElems, (r + 1) * rowElems), want, magnitude);
      expect(m, `output row ${r}`).toBeNull();
    }
    e.destroy();
  });

  test('pointwise [1, 4096, 4096, 4] → 4 (256 MiB in and out) runs in bands', async () => {
    const e = await createEngine({ backend: 'webgpu', device });
    const [H, W, C] = [4096, 4096, 4];
    const x = randomData(H * W * C, 3);
    const w = randomData(16, 4);
    const got = await e.pointwiseConv2d(e.tensor(x, [1, H, W, C]), e.tensor(w, [4, 4])).read();
    const rowElems = W * C;
    // A band here is ~2,048 rows of 64 KiB.
    for (const r of [...ROWS, ...range(2040, 2056), 4095]) {
      const crop = x.subarray(r * rowElems, (r + 1) * rowElems);
      const want = await cpu.pointwiseConv2d(cpu.tensor(crop, [1, 1, W, C]), cpu.tensor(w, [4, 4])).read();
      const magnitude = await cpu.pointwiseConv2d(cpu.tensor(abs(crop), [1, 1, W, C]), cpu.tensor(abs(w), [4, 4])).read();
      expect(firstMismatch(got.subarray(r * rowElems, (r + 1) * rowElems), want, magnitude), `output row ${r}`).toBeNull();
    }
    e.destroy();
  });
});
