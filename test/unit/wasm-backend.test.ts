// createEngine({ backend: 'wasm' }) (issue 15, first part): the option, and the
// backend against the CPU reference on the ops its kernels run (pointwise, separable)
// with every activation, and on whole models (the fused residual adds included).
// The fuzz (test/oracle/fuzz.test.ts) holds it to the GPU's tolerance on random shapes.
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { ACTIVATIONS } from '../../src/activation.js';
import { createEngine, mobilenetV2, type Engine, type Tensor } from '../../src/index.js';
import { randomData } from '../support/random.js';
import type { WasmBackend } from '../../src/wasm/backend.js';

let wasm: Engine;
let cpu: Engine;
beforeAll(async () => {
  wasm = await createEngine({ backend: 'wasm' });
  cpu = await createEngine({ backend: 'cpu' });
});
afterAll(() => {
  wasm?.destroy();
  cpu?.destroy();
});

/**
 * max |a − b| over the elements, relative to max |b| (the rounding of f32 sums scales with
 * the summed magnitudes, not with each result: a sum that cancels keeps its absolute error);
 * NaN where a NaN is not matched.
 */
function relDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  const scale = b.reduce((s, v) => (Number.isFinite(v) ? Math.max(s, Math.abs(v)) : s), 1e-30);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    if (Number.isNaN(x) || Number.isNaN(y)) {
      if (Number.isNaN(x) !== Number.isNaN(y)) return NaN;
      continue;
    }
    m = Math.max(m, Math.abs(x - y) / scale);
  }
  return m;
}

describe("backend: 'wasm'", () => {
  test('the engine reports it; a bad backend name lists it', async () => {
    expect(wasm.backend).toBe('wasm');
    await expect(createEngine({ backend: 'wasn' as 'wasm' })).rejects.toThrow("'webgpu', 'wasm', 'cpu' or 'auto'");
  });

  test('pointwiseConv2d and separableConv2d with every activation agree with the reference', async () => {
    const run = (e: Engine, activation: (typeof ACTIVATIONS)[number]) => {
      const x = e.tensor(randomData(2 * 9 * 7 * 12, 1).map((v) => v * 3), [2, 9, 7, 12]);
      const pw = e.tensor(randomData(12 * 19, 2), [12, 19]);
      const bias = e.tensor(randomData(19, 3), [19]);
      const dw = e.tensor(randomData(3 * 3 * 12 * 2, 4), [3, 3, 12, 2]);
      const pw2 = e.tensor(randomData(24 * 13, 5), [24, 13]);
      const opts = { activation, alpha: 0.3, beta: activation === 'clip' ? 0.8 : 0.4 };
      return [e.pointwiseConv2d(x, pw, { ...opts, bias }), e.separableConv2d(x, dw, pw2, { ...opts, padding: 'same', stride: 2 })];
    };
    for (const activation of ACTIVATIONS) {
      const [a, b] = run(wasm, activation) as [Tensor, Tensor];
      const [c, d] = run(cpu, activation) as [Tensor, Tensor];
      // f32 sums of ≤ 24 products against float64 ones: far below 1e-5 relative.
      expect(relDiff(await a.read(), await c.read()), `pointwise ${activation}`).toBeLessThan(1e-5);
      expect(relDiff(await b.read(), await d.read()), `separable ${activation}`).toBeLessThan(1e-5);
    }
  });

  test('weights packed once per filter: the same filter with another bias, no bias, or after a new tensor takes its memory', async () => {
    const x = randomData(5 * 6 * 8, 30);
    const f = randomData(8 * 12, 31);
    const run = async (e: Engine) => {
      const xs = e.tensor(x, [1, 5, 6, 8]);
      const w = e.tensor(f, [8, 12]);
      const outs: Float32Array[] = [];
      for (const seed of [32, 33, 0]) {
        const bias = seed ? e.tensor(randomData(12, seed), [12]) : undefined;
        outs.push(await e.pointwiseConv2d(xs, w, { ...(bias && { bias }), activation: 'relu' }).read());
      }
      w.dispose();
      // A new filter, likely in the freed block: its own values, not the old packing.
      const w2 = e.tensor(f.map((v) => -v), [8, 12]);
      outs.push(await e.pointwiseConv2d(xs, w2).read());
      return outs;
    };
    const [a, b] = await Promise.all([run(wasm), run(cpu)]);
    a.forEach((out, i) => expect(relDiff(out, (b as Float32Array[])[i] as Float32Array), `call ${i}`).toBeLessThan(1e-5));
  });

  test('MobileNetV2 (alpha 0.35, 64×64; residual adds fused into the pointwise kernels) agrees with the reference', async () => {
    const x = randomData(64 * 64 * 3, 9);
    const [a, b] = await Promise.all(
      [wasm, cpu].map(async (e) => (await mobilenetV2({ engine: e, alpha: 0.35, inputSize: 64, classes: 10 })).predict(e.tensor(x, [1, 64, 64, 3])).read()),
    );
    // Probabilities after ~50 layers of f32 sums: well within 1e-4 relative.
    expect(relDiff(a as Float32Array, b as Float32Array)).toBeLessThan(1e-4);
  });
});

describe("backend: 'wasm', depthwise", () => {
  test('every padding form, strides 1–3, dilations 1–2, kernels 1×1 to 5×3, channel tails, batches, multipliers 1–4: agrees with the reference', async () => {
    const cases: { shape: [number, number, number, number]; k: [number, number]; stride: [number, number]; dilation: [number, number]; padding: 'same' | 'valid' | number | [number, number, number, number]; m?: number }[] = [
      { shape: [1, 7, 9, 4], k: [3, 3], stride: [1, 1], dilation: [1, 1], padding: 'same' },
      { shape: [2, 11, 8, 5], k: [3, 3], stride: [2, 2], dilation: [1, 1], padding: 'same' },
      { shape: [1, 6, 6, 3], k: [5, 5], stride: [1, 1], dilation: [1, 1], padding: 'valid' },
      { shape: [1, 9, 10, 9], k: [5, 3], stride: [3, 2], dilation: [2, 1], padding: 2 },
      { shape: [3, 4, 5, 1], k: [1, 1], stride: [1, 1], dilation: [1, 1], padding: 'valid' },
      { shape: [1, 3, 3, 8], k: [3, 3], stride: [1, 1], dilation: [2, 2], padding: [3, 0, 0, 3] },
      { shape: [1, 2, 2, 6], k: [3, 3], stride: [1, 1], dilation: [1, 1], padding: 'same' },
      // Multipliers: 2 (a 64-bit load and a shuffle; 3 channels leave a tail of 2), 4 (a splat), 3 (the reference).
      { shape: [1, 7, 6, 3], k: [3, 3], stride: [1, 1], dilation: [1, 1], padding: 'same', m: 2 },
      { shape: [2, 9, 8, 4], k: [3, 3], stride: [2, 2], dilation: [1, 1], padding: 'same', m: 2 },
      { shape: [1, 6, 7, 5], k: [5, 3], stride: [1, 2], dilation: [1, 2], padding: 1, m: 4 },
      { shape: [1, 5, 5, 2], k: [3, 3], stride: [1, 1], dilation: [1, 1], padding: 'valid', m: 3 },
    ];
    let seed = 20;
    for (const c of cases) {
      for (const activation of ['linear', 'relu6', 'elu'] as const) {
        const [n, h, w, ch] = c.shape;
        const m = c.m ?? 1;
        const x = randomData(n * h * w * ch, seed++).map((v) => v * 2);
        const f = randomData(c.k[0] * c.k[1] * ch * m, seed++);
        const b = randomData(ch * m, seed++);
        const run = (e: Engine, withBias: boolean) =>
          e
            .depthwiseConv2d(e.tensor(x, c.shape), e.tensor(f, [c.k[0], c.k[1], ch, m]), {
              stride: c.stride,
              dilation: c.dilation,
              padding: c.padding,
              activation,
              alpha: 0.7,
              ...(withBias && { bias: e.tensor(b, [ch * m]) }),
            })
            .read();
        for (const withBias of [false, true]) {
          const what = `${JSON.stringify(c)} ${activation} bias=${withBias}`;
          // ≤ 25 products per output: f32 rounding far below 1e-5 of the largest output.
          expect(relDiff(await run(wasm, withBias), await run(cpu, withBias)), what).toBeLessThan(1e-5);
        }
      }
    }
  });
});

describe("backend: 'wasm', conv2d and separable bands", () => {
  test('conv2d: padding forms, strides, dilations, K unrolled (≤ 64) and looped, column tails, batches, groups (the reference): agrees with the reference', async () => {
    const cases: { shape: [number, number, number, number]; k: [number, number]; out: number; stride: [number, number]; dilation: [number, number]; padding: 'same' | 'valid' | number | [number, number, number, number]; groups?: number }[] = [
      // The stem: 3 channels, K = 27 unrolled, stride 2, 'same' (padding only bottom/right).
      { shape: [1, 15, 13, 3], k: [3, 3], out: 16, stride: [2, 2], dilation: [1, 1], padding: 'same' },
      // K = 9·12 = 108 looped per tap; a tail panel of 5; batch 2; padding on all sides.
      { shape: [2, 7, 9, 12], k: [3, 3], out: 21, stride: [1, 1], dilation: [1, 1], padding: 'same' },
      // 5×5 stride 2 (BlazeFace's stem), explicit asymmetric padding; dilation; 'valid' with unread rows and columns.
      { shape: [1, 12, 11, 4], k: [5, 5], out: 8, stride: [2, 2], dilation: [1, 1], padding: [1, 2, 2, 1] },
      { shape: [1, 10, 9, 6], k: [3, 2], out: 7, stride: [1, 2], dilation: [2, 3], padding: 2 },
      { shape: [1, 9, 10, 5], k: [2, 2], out: 3, stride: [3, 3], dilation: [1, 1], padding: 'valid' },
      { shape: [3, 5, 4, 2], k: [1, 1], out: 9, stride: [1, 1], dilation: [1, 1], padding: 'valid' },
      { shape: [1, 6, 6, 8], k: [3, 3], out: 6, stride: [1, 1], dilation: [1, 1], padding: 'same', groups: 2 },
    ];
    let seed = 60;
    for (const c of cases) {
      for (const activation of ['linear', 'relu', 'relu6', 'sigmoid'] as const) {
        const [n, h, w, ch] = c.shape;
        const groups = c.groups ?? 1;
        const x = randomData(n * h * w * ch, seed++).map((v) => v * 2);
        const f = randomData(c.k[0] * c.k[1] * (ch / groups) * c.out, seed++);
        const b = randomData(c.out, seed++);
        const run = (e: Engine, withBias: boolean) =>
          e
            .conv2d(e.tensor(x, c.shape), e.tensor(f, [c.k[0], c.k[1], ch / groups, c.out]), {
              stride: c.stride,
              dilation: c.dilation,
              padding: c.padding,
              groups,
              activation,
              ...(withBias && { bias: e.tensor(b, [c.out]) }),
            })
            .read();
        for (const withBias of [false, true]) {
          const what = `${JSON.stringify(c)} ${activation} bias=${withBias}`;
          // ≤ 108 products per output: f32 rounding below 1e-5 of the largest output.
          expect(relDiff(await run(wasm, withBias), await run(cpu, withBias)), what).toBeLessThan(1e-5);
        }
      }
    }
  });

  test('separableConv2d in row bands: several bands, a short last band, bands across images, multipliers 1 and 2, stride 2', async () => {
    // Rows of 30 × 64 channels (7.5 KiB): bands of 8 rows; 2 images × 37 rows = 74 rows, so 9 full bands, a band
    // that spans both images and a last band of 2 rows.
    for (const [m, stride] of [[1, 1], [2, 2]] as const) {
      const run = (e: Engine) => {
        const shape = [2, 37 * stride - (stride - 1), 30 * stride, 64 / m];
        const x = e.tensor(randomData(shape.reduce((a, b) => a * b), 90 + m).map((v) => v * 2), shape);
        const dw = e.tensor(randomData(9 * 64, 91), [3, 3, 64 / m, m]);
        const pw = e.tensor(randomData(64 * 20, 92), [64, 20]);
        const bias = e.tensor(randomData(20, 93), [20]);
        return e.separableConv2d(x, dw, pw, { bias, padding: 'same', stride, activation: 'relu6' }).read();
      };
      const [a, b] = await Promise.all([run(wasm), run(cpu)]);
      expect(relDiff(a as Float32Array, b as Float32Array), `multiplier ${m}`).toBeLessThan(1e-5);
    }
  });
});

describe("backend: 'wasm', threads", () => {
  test('a pool of min(cores, 4) threads by default in Node, and `threads` checked', async () => {
    const { availableParallelism } = await import('node:os');
    expect(wasm.threads).toBe(Math.min(4, availableParallelism()));
    expect(cpu.threads).toBe(1);
    const one = await createEngine({ backend: 'wasm', threads: 1 });
    expect(one.threads).toBe(1);
    one.destroy();
    for (const bad of [0, 1.5, -2, '2']) {
      await expect(createEngine({ backend: 'wasm', threads: bad as number })).rejects.toThrow(/createEngine: argument 'options\.threads': expected a positive integer/);
    }
  });

  test('every kernel split across the pool gives the bits of one thread: pointwise, conv2d, depthwise, separable bands, MobileNetV2', async () => {
    const one = await createEngine({ backend: 'wasm', threads: 1 });
    const many = await createEngine({ backend: 'wasm', threads: 4 });
    expect(many.threads).toBeGreaterThan(1);
    // The workers do every chunk, so their results are what is compared, however the system schedules them.
    (many.implementation as WasmBackend).leaveChunksToWorkers();
    const run = async (e: Engine) => {
      const x = e.tensor(randomData(2 * 40 * 36 * 32, 70), [2, 40, 36, 32]);
      const pw = e.tensor(randomData(32 * 48, 71), [32, 48]);
      const bias = e.tensor(randomData(48, 72), [48]);
      const k = e.tensor(randomData(9 * 32 * 24, 74), [3, 3, 32, 24]);
      const dw = e.tensor(randomData(9 * 32 * 2, 75), [3, 3, 32, 2]);
      const pw2 = e.tensor(randomData(64 * 40, 76), [64, 40]);
      const outs = [
        e.pointwiseConv2d(x, pw, { bias, activation: 'relu6' }),
        e.conv2d(x, k, { padding: 'same', stride: 2, activation: 'relu' }),
        e.depthwiseConv2d(x, dw, { padding: 'same' }),
        e.separableConv2d(x, dw, pw2, { padding: 'same', bias: e.tensor(randomData(40, 77), [40]) }),
      ];
      const model = await mobilenetV2({ engine: e, alpha: 0.5, inputSize: 96, classes: 10 });
      outs.push(model.predict(e.tensor(randomData(96 * 96 * 3, 78), [1, 96, 96, 3])));
      return Promise.all(outs.map((t) => t.read()));
    };
    const [a, b] = await Promise.all([run(one), run(many)]);
    (a as Float32Array[]).forEach((out, i) => expect(out, `output ${i}`).toEqual((b as Float32Array[])[i]));
    one.destroy();
    many.destroy();
  });
});

describe("backend: 'wasm', pooling and the ops written into its memory", () => {
  test('maxPool and avgPool (with and without countIncludePad): strides, padding forms, channel tails, NaN, agree with the reference', async () => {
    const cases: { shape: [number, number, number, number]; k: number | [number, number]; stride?: number | [number, number]; padding?: 'same' | 'valid' | number | [number, number, number, number] }[] = [
      { shape: [1, 8, 8, 24], k: 2 },
      { shape: [2, 9, 7, 5], k: 3, stride: 2, padding: 'same' },
      { shape: [1, 6, 10, 3], k: [2, 3], stride: [1, 2], padding: [1, 0, 2, 1] },
      { shape: [1, 5, 5, 7], k: 3, stride: 1, padding: 'same' },
      { shape: [1, 4, 4, 8], k: 4, stride: 1, padding: 3 },
    ];
    let seed = 100;
    for (const c of cases) {
      const x = randomData(c.shape.reduce((a, b) => a * b), seed++).map((v) => v * 3);
      x[5] = NaN;
      const opts = { kernelSize: c.k, ...(c.stride !== undefined && { stride: c.stride }), ...(c.padding !== undefined && { padding: c.padding }) };
      for (const kind of ['max', 'avg', 'avgIncludePad'] as const) {
        const run = (e: Engine) => {
          const t = e.tensor(x, c.shape);
          return (kind === 'max' ? e.maxPool(t, opts) : e.avgPool(t, { ...opts, countIncludePad: kind === 'avgIncludePad' })).read();
        };
        // Max is exact; averages of ≤ 16 f32 values: f32 sums far below 1e-6 of the largest.
        expect(relDiff(await run(wasm), await run(cpu)), `${JSON.stringify(c)} ${kind}`).toBeLessThan(kind === 'max' ? 1e-30 : 1e-6);
      }
    }
  });

  test('add (broadcast, fused activation), pad, concat: agree with the reference', async () => {
    const run = async (e: Engine) => {
      const a = e.tensor(randomData(2 * 5 * 6 * 8, 110), [2, 5, 6, 8]);
      const b = e.tensor(randomData(8, 111), [8]);
      const sum = e.add(a, b, { activation: 'relu' });
      const padded = e.pad(sum, [[0, 0], [1, 2], [0, 1], [0, 4]], 0.5);
      const joined = e.concat([a, sum], 3);
      return Promise.all([sum, padded, joined].map((t) => t.read()));
    };
    const [a, b] = await Promise.all([run(wasm), run(cpu)]);
    (a as Float32Array[]).forEach((out, i) => expect(relDiff(out, (b as Float32Array[])[i] as Float32Array), `output ${i}`).toBeLessThan(1e-6));
  });
});

describe("backend: 'wasm', where it cannot run as asked", () => {
  test('no WebAssembly SIMD: the reference runs instead, with a console note; so does auto without a GPU', async () => {
    const validate = WebAssembly.validate;
    const info = vi.spyOn(console, 'info').mockImplementation(() => {});
    WebAssembly.validate = () => false;
    try {
      const e = await createEngine({ backend: 'wasm' });
      expect(e.backend).toBe('cpu');
      expect(info).toHaveBeenCalledWith(expect.stringMatching(/no WebAssembly SIMD; the reference CPU backend runs instead/));
      e.destroy();
    } finally {
      WebAssembly.validate = validate;
      info.mockRestore();
    }
  });

  test('threads asked for where there is no shared memory (a page not cross-origin isolated): one thread, with a note saying why', async () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => {});
    // Node stands in for such a page: no process (so not Node), crossOriginIsolated false.
    vi.stubGlobal('process', undefined);
    vi.stubGlobal('crossOriginIsolated', false);
    try {
      const e = await createEngine({ backend: 'wasm', threads: 2 });
      expect(e.backend).toBe('wasm');
      expect(e.threads).toBe(1);
      expect(info).toHaveBeenCalledWith(expect.stringMatching(/runs on 1 thread\(s\), not 2: the page is not cross-origin isolated/));
      e.destroy();
    } finally {
      vi.unstubAllGlobals();
      info.mockRestore();
    }
  });
});
