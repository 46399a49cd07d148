// Real ONNX models end to end: sepconv's loadOnnx against onnxruntime-web (wasm
// execution provider, one thread) on the same input, on both backends. The
// models are not sepconv's: MediaPipe BlazeFace (front 128 and back 256, exported
// from TensorFlow by tf2onnx, NHWC input) and a PyTorch MobileNetV2 (NCHW input,
// batch norm not folded, exported by torch.onnx).
//
// Tolerance (the issue's): |ours − ort| ≤ 1e-4 + 1e-3·|ort| per element. Both run
// f32 convolutions in different summation orders over up to ~40 layers; 1e-3
// relative is ~10^4 ulps, far above that rounding and far below any real error (a
// wrong pad, layout or activation changes outputs by O(1)).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createEngine, loadOnnx, SepconvError, type Engine } from '../../src/index.js';
import { randomData } from '../support/random.js';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const BLAZEFACE = {
  front: here('../../demo/assets/models/blazeface/face_detection_front_128x128_barracuda.onnx'),
  back: here('../../demo/assets/models/blazeface/face_detection_back_256x256_barracuda.onnx'),
};
const TORCH_MOBILENET = here('../fixtures/mobilenetv2_torch.onnx');

type Ort = typeof import('onnxruntime-web');
let ort: Ort;
const engines: Record<string, Engine> = {};
beforeAll(async () => {
  ort = (await import('onnxruntime-web')) as Ort;
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error';
  engines.cpu = await createEngine({ backend: 'cpu' });
  engines.webgpu = await createEngine({ backend: 'webgpu' });
});
afterAll(() => Object.values(engines).forEach((e) => e.destroy()));

/** Runs the file in onnxruntime-web: outputs by name. */
async function reference(bytes: Uint8Array, feeds: Record<string, { data: Float32Array; dims: number[] }>): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  const out = await session.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, new ort.Tensor('float32', v.data, v.dims)])));
  const result = Object.fromEntries(Object.entries(out).map(([k, t]) => [k, t.data as Float32Array]));
  await session.release();
  return result;
}

function expectClose(name: string, got: Float32Array, want: Float32Array): void {
  expect(got.length, `${name}: length`).toBe(want.length);
  let worst = { i: -1, excess: 0 };
  for (let i = 0; i < want.length; i++) {
    const excess = Math.abs((got[i] as number) - (want[i] as number)) - (1e-4 + 1e-3 * Math.abs(want[i] as number));
    if (!(excess <= worst.excess)) worst = { i, excess };
  }
  if (worst.i >= 0) throw new Error(`${name}: element ${worst.i}: sepconv ${got[worst.i]}, onnxruntime ${want[worst.i]}`);
}

describe.each(['cpu', 'webgpu'])('%s backend agrees with onnxruntime-web', (backend) => {
  test.each(Object.entries(BLAZEFACE))('BlazeFace %s: all four outputs', async (_name, file) => {
    const e = engines[backend] as Engine;
    const bytes = new Uint8Array(readFileSync(file));
    const face = await loadOnnx(e, bytes);
    expect(face.inputs).toHaveLength(1);
    const input = face.inputs[0]!;
    expect(input.layout).toBe('NHWC');
    const dims = input.shape.map((d) => d ?? 1);
    const x = randomData(dims.reduce((a, b) => a * b, 1), 11);
    const want = await reference(bytes, { [input.name]: { data: x, dims } });
    const outs = face.predict({ [input.name]: e.tensor(x, dims) });
    expect(Object.keys(outs)).toEqual(face.outputs.map((o) => o.name));
    for (const o of face.outputs) {
      const t = outs[o.name]!;
      expect(t.shape).toEqual(o.shape.map((d) => d ?? 1));
      expectClose(o.name, await t.read(), want[o.name] as Float32Array);
    }
    face.dispose();
  });

  test('PyTorch MobileNetV2 (NCHW, batch norm unfolded in the file), batch 2', async () => {
    const e = engines[backend] as Engine;
    const bytes = new Uint8Array(readFileSync(TORCH_MOBILENET));
    const net = await loadOnnx(e, bytes);
    const input = net.inputs[0]!;
    expect(input.layout).toBe('NCHW');
    const dims = input.shape.map((d) => d ?? 2);
    const x = randomData(dims.reduce((a, b) => a * b, 1), 12);
    const want = await reference(bytes, { [input.name]: { data: x, dims } });
    const y = net.predict(e.tensor(x, dims, { layout: 'NCHW' }));
    expectClose('logits', await y.read(), Object.values(want)[0] as Float32Array);
    net.dispose();
  });
});

describe('loading', () => {
  test('a failed load uploads nothing and leaves the engine usable', async () => {
    const e = engines.webgpu as Engine;
    const before = e.memory();
    const bytes = new Uint8Array(readFileSync(BLAZEFACE.front));
    await expect(loadOnnx(e, bytes.subarray(0, bytes.length - 1000))).rejects.toThrow(SepconvError);
    await expect(loadOnnx(e, 'no/such/model.onnx')).rejects.toThrow(/loadOnnx: argument 'source': could not read 'no\/such\/model.onnx'/);
    await expect(loadOnnx(e, 42 as never)).rejects.toThrow(/loadOnnx: argument 'source': expected a Uint8Array, an ArrayBuffer, or a URL/);
    expect(e.memory()).toEqual(before);
    const face = await loadOnnx(e, BLAZEFACE.front);
    expect(face.outputs.map((o) => o.shape)).toEqual([
      [1, 512, 1],
      [1, 384, 1],
      [1, 512, 16],
      [1, 384, 16],
    ]);
    face.dispose();
  });

  test('the model surface: summary, params, FLOPs, memory plan, the ops it runs', async () => {
    const face = await loadOnnx(engines.cpu as Engine, BLAZEFACE.front);
    const ops = face.ops().map((o) => o.op);
    // TF's channel padding (ConstantOfShape + Concat) runs as pads; every residual add
    // fuses into the pointwise conv ending its block; the layout transposes are relabellings.
    expect(ops.filter((o) => o === 'binary' || o === 'concat' || o === 'transpose')).toEqual([]);
    expect(ops.filter((o) => o === 'pad').length).toBe(11);
    expect(face.summary()).toMatch(/FLOPs per image/);
    expect(face.params().total).toBeGreaterThan(100_000);
    expect(face.flops()).toBeGreaterThan(30e6);
    expect(face.memoryPlan(1).buffers).toBeGreaterThan(1);
    face.dispose();
  });
});
