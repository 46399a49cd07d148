// The real pretrained BlazeFace run by sepconv (loadOnnx) and decoded by sepconv,
// on both backends: the same photos and hand-labelled face as the onnxruntime-web
// test of the decoder (test/unit/blazeface-onnxruntime.test.ts), now with sepconv
// computing the outputs.
import { readFileSync } from 'node:fs';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  BLAZEFACE_FRONT,
  createEngine,
  decodeBlazeFace,
  iou,
  letterboxImage,
  loadOnnx,
  removeLetterbox,
  type Engine,
  type Model,
  type Tensor,
} from '../../src/index.js';

const asset = (path: string) => readFileSync(new URL(`../../demo/assets/${path}`, import.meta.url));
// Hand-labelled in demo/assets/astronaut.jpg's pixels (how: test/unit/blazeface-onnxruntime.test.ts).
const ASTRONAUT_FACE = { x: 91, y: 40, width: 43, height: 48 };

const engines: Record<string, Engine> = {};
const models: Record<string, Model> = {};
beforeAll(async () => {
  for (const backend of ['cpu', 'webgpu'] as const) {
    engines[backend] = await createEngine({ backend });
    models[backend] = await loadOnnx(engines[backend] as Engine, asset('models/blazeface/face_detection_front_128x128_barracuda.onnx'));
  }
});
afterAll(() => {
  Object.values(models).forEach((m) => m.dispose());
  Object.values(engines).forEach((e) => e.destroy());
});

async function faces(backend: string, photo: string) {
  const e = engines[backend] as Engine;
  const model = models[backend] as Model;
  const image = jpeg.decode(asset(photo), { useTArray: true, formatAsRGBA: true });
  const { data, letterbox } = letterboxImage(image, 128, 128);
  const outs = model.predict({ 'input:0': e.tensor(data, [1, 128, 128, 3]) });
  const [s0, s1, r0, r1] = await Promise.all(model.outputs.map((o) => (outs[o.name] as Tensor).read()));
  return removeLetterbox(decodeBlazeFace({ scores: [s0!, s1!], regressors: [r0!, r1!] }, BLAZEFACE_FRONT), letterbox);
}

describe.each(['cpu', 'webgpu'])('%s backend', (backend) => {
  test('one face on the astronaut, IoU ≥ 0.5 with the hand-labelled box', async () => {
    const found = await faces(backend, 'astronaut.jpg');
    expect(found.length).toBe(1);
    expect(iou(found[0]!.box, ASTRONAUT_FACE)).toBeGreaterThanOrEqual(0.5);
  });

  test('no face on the cat', async () => {
    expect(await faces(backend, 'chelsea.jpg')).toEqual([]);
  });
});
