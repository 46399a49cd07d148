// engine.fromPixels from RGBA bytes ({ data, width, height }, the source Node has):
// the CPU reference against TF.js (tf.image.resizeBilinear with halfPixelCenters, an
// independent implementation), the GPU kernel against the CPU reference, every
// option, and the argument errors. Browser sources (images, canvases, video frames,
// ImageBitmap) are covered by test/browser/pixels.test.ts.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, test } from 'vitest';
import { letterboxImage, SepconvError, type FromPixelsOptions, type PixelData } from '../../src/index.js';
import { mulberry32 } from '../../src/random.js';
import { gpuAndCpuEngines } from '../support/gpu.js';

const engines = gpuAndCpuEngines();

/** Random opaque RGBA pixels. */
function image(width: number, height: number, seed: number): PixelData {
  const rand = mulberry32(seed);
  const data = new Uint8ClampedArray(width * height * 4).map((_, i) => (i % 4 === 3 ? 255 : Math.floor(rand() * 256)));
  return { data, width, height };
}

/** Largest |a − b|. */
function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - (b[i] as number))), 0);
}

/**
 * GPU vs CPU: both compute the same f32 steps, but the GPU may fuse a multiply-add in
 * the sample coordinate or the interpolation; that moves a value (0–255 scale) by a few
 * ulps of 255, about 1e-4, i.e. 1e-4·scale/std after normalisation. The checks allow 1e-5
 * for outputs in 0…1 (scale 1/255) and 1e-4 for the ImageNet normalisation (÷ 0.225).
 */
const GPU_TOL = { unit: 1e-5, imagenet: 1e-4 };

describe('fromPixels', () => {
  test('CPU reference = TF.js resizeBilinear (halfPixelCenters) of the RGB channels, up and down, then scaled', async () => {
    const { cpu } = engines;
    for (const [w, h, outH, outW] of [
      [16, 12, 16, 24], // up
      [40, 30, 7, 9], // down
      [5, 5, 5, 5], // same size: the pixels themselves
      [1, 1, 3, 2], // one pixel
    ] as const) {
      const img = image(w, h, w * 100 + outW);
      const got = await cpu.fromPixels(img, { size: [outH, outW] }).read();
      const rgb = tf.slice(tf.tensor4d(Float32Array.from(img.data), [1, h, w, 4]), [0, 0, 0, 0], [1, h, w, 3]) as tf.Tensor4D;
      const want = tf.div(tf.image.resizeBilinear(rgb, [outH, outW], false, true), 255);
      // TF.js computes in f32 with its own order of operations: a few ulps of values ≤ 1.
      expect(maxDiff(got, (await want.data()) as Float32Array)).toBeLessThan(2e-6);
      tf.dispose([rgb, want]);
    }
    // Same size: exactly the bytes, scaled.
    const img = image(6, 4, 7);
    const same = await cpu.fromPixels(img, { scale: 1, channels: 4 }).read();
    expect([...same]).toEqual([...img.data]);
  });

  test("'cover' samples the centred crop: a 40×20 image into 10×10 is the 20×20 middle, resized", async () => {
    const { cpu } = engines;
    const img = image(40, 20, 3);
    const middle = new Uint8ClampedArray(20 * 20 * 4);
    for (let y = 0; y < 20; y++) middle.set(img.data.subarray((y * 40 + 10) * 4, (y * 40 + 30) * 4), y * 20 * 4);
    const cover = await cpu.fromPixels(img, { size: [10, 10], fit: 'cover' }).read();
    const cropped = await cpu.fromPixels({ data: middle, width: 20, height: 20 }, { size: [10, 10] }).read();
    expect(maxDiff(cover, cropped)).toBeLessThan(1e-6);
    // A tall image: the crop is the vertical middle.
    const tall = image(10, 30, 4);
    const out = await cpu.fromPixels(tall, { size: [10, 10], fit: 'cover', scale: 1 }).read();
    // Output pixel (0, 0) samples source (0.5·1 − 0.5, 10 + 0.5 − 0.5) = (0, 10) exactly.
    expect([...out.subarray(0, 3)]).toEqual([...tall.data.subarray(10 * 10 * 4, 10 * 10 * 4 + 3)]);
  });

  test("'contain' is the letterbox of src/vision: letterboxImage's numbers, black bands included", async () => {
    const { cpu } = engines;
    for (const [w, h, size] of [
      [40, 20, 16],
      [13, 31, 12],
      [128, 128, 128],
    ] as const) {
      const img = image(w, h, w + h);
      const got = await cpu.fromPixels(img, { size: [size, size], fit: 'contain', scale: 2 / 255, mean: 1, std: 1 }).read();
      const { data } = letterboxImage(img, size, size);
      // letterboxImage computes in float64, fromPixels in f32: a few ulps of values in −1…1.
      expect(maxDiff(got, data)).toBeLessThan(2e-6);
      expect(got.filter((v) => v === -1).length).toBe(data.filter((v) => v === -1).length);
    }
  });

  test('GPU = CPU on every option: sizes, fits, layouts, channels, mean/std, scale; odd widths (row strides)', async () => {
    const { gpu, cpu } = engines;
    const cases: [PixelData, FromPixelsOptions, number][] = [
      [image(33, 17, 1), {}, GPU_TOL.unit],
      [image(33, 17, 2), { size: [64, 48] }, GPU_TOL.unit],
      [image(100, 61, 3), { size: [24, 24], fit: 'cover' }, GPU_TOL.unit],
      [image(61, 100, 4), { size: [24, 32], fit: 'cover', layout: 'NCHW' }, GPU_TOL.unit],
      [image(50, 50, 5), { size: [16, 16], mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }, GPU_TOL.imagenet],
      [image(9, 7, 6), { size: [5, 3], channels: 4, layout: 'NCHW', scale: 2 / 255, mean: 1, std: 1 }, GPU_TOL.unit],
      [image(1, 1, 7), { size: [2, 2] }, GPU_TOL.unit],
      // Letterbox bands on the sides, then on top and bottom; values in −1…1 (twice the unit tolerance).
      [image(100, 61, 10), { size: [24, 24], fit: 'contain', scale: 2 / 255, mean: 1, std: 1 }, 2 * GPU_TOL.unit],
      [image(30, 70, 11), { size: [20, 28], fit: 'contain', layout: 'NCHW' }, GPU_TOL.unit],
    ];
    for (const [img, options, tol] of cases) {
      const g = gpu.fromPixels(img, options);
      const c = cpu.fromPixels(img, options);
      expect(g.shape).toEqual(c.shape);
      expect(g.layout).toBe(options.layout ?? 'NHWC');
      expect(maxDiff(await g.read(), await c.read()), JSON.stringify(options)).toBeLessThan(tol);
    }
    // The output feeds ops like any tensor: NCHW in, NCHW out.
    const x = gpu.fromPixels(image(12, 10, 8), { layout: 'NCHW' });
    const w = gpu.tensor(Float32Array.from({ length: 3 * 2 }, (_, i) => i - 2), [3, 2]);
    const y = gpu.pointwiseConv2d(x, w);
    expect(y.shape).toEqual([1, 2, 10, 12]);
    const xc = cpu.fromPixels(image(12, 10, 8), { layout: 'NCHW' });
    const yc = cpu.pointwiseConv2d(xc, cpu.tensor(Float32Array.from({ length: 6 }, (_, i) => i - 2), [3, 2]));
    expect(maxDiff(await y.read(), await yc.read())).toBeLessThan(1e-5);
  });

  test('bad sources and options: INVALID_ARGUMENT naming the argument; the engine stays usable', async () => {
    const { gpu, cpu } = engines;
    const img = image(4, 3, 9);
    const cases: [unknown, unknown, RegExp][] = [
      [null, {}, /argument 'source': expected an image/],
      [{ data: new Uint8Array(47), width: 4, height: 3 }, {}, /argument 'source\.data': expected 48 bytes/],
      [{ data: new Uint8Array(0), width: 0, height: 0 }, {}, /at least 1×1 pixels/],
      [{ width: 4, height: 3 }, {}, /argument 'source'/],
      [img, { size: [0, 4] }, /options\.size.*\[height, width\]/],
      [img, { size: 4 }, /options\.size/],
      [img, { channels: 1 }, /options\.channels.*3 \(RGB\) or 4/],
      [img, { layout: 'CHW' }, /options\.layout/],
      [img, { fit: 'fill' }, /options\.fit.*'stretch', 'cover' or 'contain'/],
      [img, { mean: [0.5, 0.5] }, /options\.mean.*3 finite numbers/],
      [img, { std: 0 }, /options\.std.*non-zero/],
      [img, { scale: Number.NaN }, /options\.scale/],
      [img, 'fast', /argument 'options'/],
    ];
    for (const e of [gpu, cpu]) {
      for (const [source, options, message] of cases) {
        let err: unknown;
        try {
          e.fromPixels(source as PixelData, options as FromPixelsOptions);
        } catch (x) {
          err = x;
        }
        expect(err, `${e.backend} ${String(message)}`).toBeInstanceOf(SepconvError);
        expect((err as SepconvError).code).toBe('INVALID_ARGUMENT');
        expect((err as SepconvError).message).toMatch(/^sepconv\.fromPixels: /);
        expect((err as SepconvError).message).toMatch(message);
      }
      // A browser image where Node has no canvas: the CPU backend says what to pass instead.
      if (e === cpu) expect(() => e.fromPixels({ width: 2, height: 2 } as unknown as ImageBitmap)).toThrow(/pixel data \{ data, width, height \}/);
      expect((await e.fromPixels(img).read()).length).toBe(4 * 3 * 3);
    }
  });
});
