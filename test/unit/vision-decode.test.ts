// The BlazeFace decoder on synthetic outputs, no model involved: MediaPipe's SSD anchors (count,
// order, positions, sizes when not fixed), box and keypoint decoding from a regressor row, score
// sigmoid, clipping and threshold, weighted non-max suppression, and the letterbox round trip.
import { describe, expect, test } from 'vitest';
import {
  BLAZEFACE_BACK,
  BLAZEFACE_FRONT,
  BLAZEFACE_KEYPOINTS,
  decodeBlazeFace,
  decodeBlazeFaceAnchors,
  iou,
  letterbox,
  letterboxImage,
  removeLetterbox,
  SepconvError,
  ssdAnchors,
  weightedNonMaxSuppression,
  type Detection,
} from '../../src/index.js';

/** Outputs of the front model's layout (512 + 384 anchors) with every score logit at `fill`. */
function emptyOutputs(fill = -10) {
  return {
    scores: [new Float32Array(512).fill(fill), new Float32Array(384).fill(fill)],
    regressors: [new Float32Array(512 * 16), new Float32Array(384 * 16)],
  };
}

/** Sets anchor `a` (0..895) of front-layout outputs: its logit and its 16 regressor values. */
function setAnchor(out: ReturnType<typeof emptyOutputs>, a: number, logit: number, regressors: number[]) {
  const [part, i] = a < 512 ? [0, a] : [1, a - 512];
  out.scores[part]![i] = logit;
  out.regressors[part]!.set(regressors, i * 16);
}

const det = (score: number, x: number, y: number, w: number, h: number, k = 0): Detection => ({
  score,
  box: { x, y, width: w, height: h },
  keypoints: [{ x: x + k, y: y + k }],
});

/** A lone detection comes out of weighted NMS as its own weighted mean: equal up to rounding (1e-12). */
function expectSameDetection(got: Detection | undefined, want: Detection) {
  expect(got?.score).toBe(want.score);
  for (const k of ['x', 'y', 'width', 'height'] as const) expect(got!.box[k]).toBeCloseTo(want.box[k], 12);
  expect(got!.keypoints.length).toBe(want.keypoints.length);
  got!.keypoints.forEach((p, i) => {
    expect(p.x).toBeCloseTo(want.keypoints[i]!.x, 12);
    expect(p.y).toBeCloseTo(want.keypoints[i]!.y, 12);
  });
}

describe('ssdAnchors', () => {
  test('BlazeFace front: 896 anchors, 16×16×2 at stride 8 then 8×8×6 at stride 16, row-major, 1×1', () => {
    const a = ssdAnchors(BLAZEFACE_FRONT.anchors);
    expect(a.length).toBe(896);
    // Cell (0, 0) of the stride-8 grid holds anchors 0 and 1; anchor 2 is the next cell to the right.
    expect(a[0]).toEqual({ x: 0.5 / 16, y: 0.5 / 16, width: 1, height: 1 });
    expect(a[1]).toEqual(a[0]);
    expect(a[2]).toEqual({ x: 1.5 / 16, y: 0.5 / 16, width: 1, height: 1 });
    // Row 1 starts after 16 cells of 2 anchors.
    expect(a[32]).toEqual({ x: 0.5 / 16, y: 1.5 / 16, width: 1, height: 1 });
    expect(a[511]).toEqual({ x: 15.5 / 16, y: 15.5 / 16, width: 1, height: 1 });
    // The three stride-16 layers are merged: 6 anchors per cell of an 8×8 grid.
    for (let i = 512; i < 518; i++) expect(a[i]).toEqual({ x: 0.5 / 8, y: 0.5 / 8, width: 1, height: 1 });
    expect(a[518]).toEqual({ x: 1.5 / 8, y: 0.5 / 8, width: 1, height: 1 });
    expect(a[512 + (3 * 8 + 5) * 6 + 2]).toEqual({ x: 5.5 / 8, y: 3.5 / 8, width: 1, height: 1 });
    expect(a[895]).toEqual({ x: 7.5 / 8, y: 7.5 / 8, width: 1, height: 1 });
  });

  test('BlazeFace back: 256 input at strides 16, 32 gives the same 896 normalised centres', () => {
    const back = ssdAnchors(BLAZEFACE_BACK.anchors);
    expect(back).toEqual(ssdAnchors(BLAZEFACE_FRONT.anchors));
    // …but not for a different stride set on the same input.
    expect(ssdAnchors({ ...BLAZEFACE_BACK.anchors, strides: [8, 16, 16, 16] }).length).toBe(32 * 32 * 2 + 16 * 16 * 6);
  });

  test('sizes when not fixed: scales spread min→max over layers, aspect ratios, the interpolated anchor', () => {
    // Two layers of stride 32 on 64×32: one 2-wide, 1-high grid, both layers' anchors in each cell.
    const a = ssdAnchors({ inputWidth: 64, inputHeight: 32, strides: [32, 32], minScale: 0.2, maxScale: 0.8, aspectRatios: [1, 2] });
    expect(a.length).toBe(2 * 1 * 6);
    const r2 = Math.SQRT2;
    const expected = [
      [0.2, 0.2], // layer 0, ratio 1
      [0.2 * r2, 0.2 / r2], // layer 0, ratio 2
      [0.4, 0.4], // layer 0, interpolated: sqrt(0.2 · 0.8)
      [0.8, 0.8], // layer 1, ratio 1
      [0.8 * r2, 0.8 / r2], // layer 1, ratio 2
      [Math.sqrt(0.8), Math.sqrt(0.8)], // layer 1, interpolated: sqrt(0.8 · 1)
    ];
    expected.forEach(([w, h], i) => {
      expect(a[i]!.width).toBeCloseTo(w!, 12);
      expect(a[i]!.height).toBeCloseTo(h!, 12);
      expect(a[i]!.x).toBe(0.25);
      expect(a[i]!.y).toBe(0.5);
      expect(a[i + 6]!.x).toBe(0.75);
    });
  });

  test('reduceBoxesInLowestLayer and a custom anchor offset', () => {
    const a = ssdAnchors({ inputWidth: 32, inputHeight: 32, strides: [32], minScale: 0.3, maxScale: 0.9, reduceBoxesInLowestLayer: true, anchorOffsetX: 0, anchorOffsetY: 1 });
    // One layer: scale (0.3 + 0.9) / 2; predefined anchors 0.1 at ratio 1, the scale at ratios 2 and 1/2, no interpolated one.
    expect(a.map((b) => [b.width, b.height].map((v) => +v.toFixed(6)))).toEqual([
      [0.1, 0.1],
      [+(0.6 * Math.SQRT2).toFixed(6), +(0.6 / Math.SQRT2).toFixed(6)],
      [+(0.6 / Math.SQRT2).toFixed(6), +(0.6 * Math.SQRT2).toFixed(6)],
    ]);
    expect(a.every((b) => b.x === 0 && b.y === 1)).toBe(true);
  });

  test('bad options are rejected', () => {
    expect(() => ssdAnchors({ ...BLAZEFACE_FRONT.anchors, strides: [] })).toThrow(SepconvError);
    expect(() => ssdAnchors({ ...BLAZEFACE_FRONT.anchors, strides: [8, 0] })).toThrow(/strides\[1\]/);
    expect(() => ssdAnchors({ ...BLAZEFACE_FRONT.anchors, inputWidth: 12.5 })).toThrow(/inputWidth/);
  });
});

describe('decodeBlazeFace', () => {
  // Anchor 688 = 512 + (row 3 · 8 + column 5) · 6 + 2: centre (5.5/8, 3.5/8) = (0.6875, 0.4375).
  const A = 512 + (3 * 8 + 5) * 6 + 2;
  // Offsets in input pixels (128 wide): +12.8 px = +0.1, −6.4 px = −0.05; size 32 × 38.4 px = 0.25 × 0.3;
  // keypoint k at (+1.28·k, −2.56·k) px = (+0.01·k, −0.02·k) from the anchor centre.
  const regressors = [12.8, -6.4, 32, 38.4, ...Array.from({ length: 6 }, (_, k) => [1.28 * k, -2.56 * k]).flat()];

  test('a regressor row decodes to its box and keypoints around its anchor', () => {
    const out = emptyOutputs();
    setAnchor(out, A, 4, regressors);
    const faces = decodeBlazeFace(out);
    expect(faces.length).toBe(1);
    const f = faces[0]!;
    // Float32 regressors (12.8 is not exact in f32): 1e-6 covers their rounding (≤ 6e-8 relative).
    const close = (got: number, want: number) => expect(Math.abs(got - want)).toBeLessThan(1e-6);
    close(f.score, 1 / (1 + Math.exp(-4)));
    close(f.box.x, 0.6875 + 0.1 - 0.125);
    close(f.box.y, 0.4375 - 0.05 - 0.15);
    close(f.box.width, 0.25);
    close(f.box.height, 0.3);
    expect(f.keypoints.length).toBe(BLAZEFACE_KEYPOINTS.length);
    f.keypoints.forEach((p, k) => {
      close(p.x, 0.6875 + 0.01 * k);
      close(p.y, 0.4375 - 0.02 * k);
    });
  });

  test('one array of 896 (MediaPipe TFLite layout) decodes like the two-part ONNX layout', () => {
    const out = emptyOutputs();
    setAnchor(out, A, 4, regressors);
    setAnchor(out, 37, 3, [1, 2, 20, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const joined = {
      scores: [Float32Array.of(...out.scores[0]!, ...out.scores[1]!)],
      regressors: [Float32Array.of(...out.regressors[0]!, ...out.regressors[1]!)],
    };
    expect(decodeBlazeFace(joined)).toEqual(decodeBlazeFace(out));
    expect(decodeBlazeFace(out).length).toBe(2);
  });

  test('BLAZEFACE_BACK scales by 256: the same row gives half the offsets', () => {
    const out = emptyOutputs();
    setAnchor(out, A, 4, regressors);
    const f = decodeBlazeFace(out, BLAZEFACE_BACK)[0]!;
    expect(f.box.width).toBeCloseTo(0.125, 6);
    expect(f.box.x).toBeCloseTo(0.6875 + 0.05 - 0.0625, 6);
  });

  test('scores: sigmoid, min score inclusive, clipping at ±scoreClip, NaN dropped', () => {
    const logit = Math.log(0.75 / 0.25); // sigmoid = 0.75, the front model's min score
    const out = emptyOutputs(-1000);
    setAnchor(out, 0, logit + 1e-6, []);
    setAnchor(out, 1, logit - 1e-6, []);
    setAnchor(out, 2, Number.NaN, []);
    const kept = decodeBlazeFaceAnchors(out);
    expect(kept.length).toBe(1);
    expect(kept[0]!.score).toBeGreaterThanOrEqual(0.75);
    expect(kept[0]!.box.x).toBe(0.5 / 16); // anchor 0, zero regressors: a point box at its centre
    // A score exactly at the min score is kept (MediaPipe drops only scores below it): sigmoid(0) = 0.5.
    setAnchor(out, 3, 0, []);
    const half = decodeBlazeFaceAnchors(out, { ...BLAZEFACE_FRONT, minScore: 0.5 }).map((d) => d.score);
    expect(half.length).toBe(3); // anchors 0, 1 (0.74999…) and 3
    expect(half[2]).toBe(0.5);
    // With no min score every anchor is kept; −1000 is clipped to −100 (sigmoid 3.7e-44, not 0).
    const all = decodeBlazeFaceAnchors(out, { ...BLAZEFACE_FRONT, minScore: 0 });
    expect(all.length).toBe(895);
    expect(all[all.length - 1]!.score).toBe(1 / (1 + Math.exp(100)));
    const clipped = emptyOutputs(10);
    const low = decodeBlazeFaceAnchors(clipped, { ...BLAZEFACE_FRONT, scoreClip: 5, minScore: 0 });
    expect(low[0]!.score).toBe(1 / (1 + Math.exp(-5)));
  });

  test('outputs that do not fit the anchors are rejected', () => {
    const out = emptyOutputs();
    expect(() => decodeBlazeFace({ scores: out.scores, regressors: [out.regressors[0]!] })).toThrow(SepconvError);
    expect(() => decodeBlazeFace({ scores: [out.scores[0]!], regressors: [out.regressors[0]!] })).toThrow(/896 scores/);
    expect(() => decodeBlazeFace({ scores: out.scores, regressors: [out.regressors[0]!, new Float32Array(384 * 12)] })).toThrow(/regressors\[1\]/);
  });
});

describe('weightedNonMaxSuppression', () => {
  test('iou', () => {
    const a = { x: 0, y: 0, width: 2, height: 2 };
    expect(iou(a, a)).toBe(1);
    expect(iou(a, { x: 1, y: 0, width: 2, height: 2 })).toBeCloseTo(2 / 6, 12);
    expect(iou(a, { x: 2, y: 0, width: 2, height: 2 })).toBe(0); // touching edges
    expect(iou(a, { x: 5, y: 5, width: 1, height: 1 })).toBe(0);
    expect(iou(a, { x: 0.5, y: 0.5, width: 1, height: 1 })).toBe(0.25);
  });

  test('a cluster becomes its score-weighted mean with the best score; a far box stays', () => {
    const a = det(0.9, 0.1, 0.1, 0.2, 0.2, 0.01);
    const b = det(0.6, 0.12, 0.11, 0.22, 0.2, 0.05);
    const far = det(0.8, 0.6, 0.6, 0.2, 0.2);
    const out = weightedNonMaxSuppression([b, far, a], 0.3);
    expect(out.length).toBe(2);
    const m = out[0]!;
    const mean = (p: number, q: number) => (0.9 * p + 0.6 * q) / 1.5;
    expect(m.score).toBe(0.9);
    expect(m.box.x).toBeCloseTo(mean(0.1, 0.12), 12);
    expect(m.box.y).toBeCloseTo(mean(0.1, 0.11), 12);
    // Corners are averaged, so the width is mean(right) − mean(left).
    expect(m.box.width).toBeCloseTo(mean(0.3, 0.34) - mean(0.1, 0.12), 12);
    expect(m.box.height).toBeCloseTo(mean(0.3, 0.31) - mean(0.1, 0.11), 12);
    expect(m.keypoints[0]!.x).toBeCloseTo(mean(0.11, 0.17), 12);
    expect(m.keypoints[0]!.y).toBeCloseTo(mean(0.11, 0.16), 12);
    expectSameDetection(out[1], far);
  });

  test('merging needs IoU strictly above the threshold, measured against the best box only', () => {
    const a = det(0.9, 0, 0, 1, 1);
    const b = det(0.5, 0.4, 0, 1, 1);
    const v = iou(a.box, b.box); // 0.6 / 1.4
    expect(weightedNonMaxSuppression([a, b], v).length).toBe(2);
    expect(weightedNonMaxSuppression([a, b], v - 1e-9).length).toBe(1);
    // c overlaps b (IoU 0.6/1.4) but not a (IoU 0.2/1.8): after b joins a's cluster, c stays alone.
    const c = det(0.4, 0.8, 0, 1, 1);
    const out = weightedNonMaxSuppression([a, b, c], 0.3);
    expect(out.map((d) => d.score)).toEqual([0.9, 0.4]);
    expectSameDetection(out[1], c);
  });

  test('equal scores keep input order; no detections in, none out; bad thresholds rejected', () => {
    const p = det(0.7, 0, 0, 0.1, 0.1);
    const q = det(0.7, 0.5, 0.5, 0.1, 0.1);
    const pq = weightedNonMaxSuppression([p, q], 0.3);
    expectSameDetection(pq[0], p);
    expectSameDetection(pq[1], q);
    const qp = weightedNonMaxSuppression([q, p], 0.3);
    expectSameDetection(qp[0], q);
    expectSameDetection(qp[1], p);
    expect(weightedNonMaxSuppression([], 0.3)).toEqual([]);
    expect(() => weightedNonMaxSuppression([p], Number.NaN)).toThrow(SepconvError);
  });
});

describe('letterbox', () => {
  test('fit and centre', () => {
    expect(letterbox(256, 192, 128, 128)).toEqual({ srcWidth: 256, srcHeight: 192, width: 128, height: 128, scale: 0.5, offsetX: 0, offsetY: 16 });
    const tall = letterbox(100, 300, 128, 128);
    expect(tall.scale).toBe(128 / 300);
    expect(tall.offsetX).toBeCloseTo((128 - 100 * (128 / 300)) / 2, 12);
    expect(tall.offsetY).toBe(0);
    expect(() => letterbox(0, 10, 128, 128)).toThrow(SepconvError);
  });

  test('letterboxImage: bilinear at pixel centres, values to [-1, 1], black bands; RGBA = RGB', () => {
    // 2×1 image, red then blue, into 4×4: scale 2, band rows 0 and 3.
    const rgb = { data: Uint8Array.of(255, 0, 0, 0, 0, 255), width: 2, height: 1 };
    const { data, letterbox: lb } = letterboxImage(rgb, 4, 4);
    expect(lb).toMatchObject({ scale: 2, offsetX: 0, offsetY: 1 });
    const px = (x: number, y: number) => Array.from(data.subarray((y * 4 + x) * 3, (y * 4 + x) * 3 + 3));
    expect(px(0, 0)).toEqual([-1, -1, -1]);
    expect(px(3, 3)).toEqual([-1, -1, -1]);
    // Output column 0 samples source x −0.25 (clamped to 0): red. Column 1 samples 0.25: ¾ red, ¼ blue.
    expect(px(0, 1)).toEqual([1, -1, -1]);
    expect(px(1, 1)).toEqual([0.5, -1, -0.5]);
    expect(px(2, 2)).toEqual([-0.5, -1, 0.5]);
    expect(px(3, 2)).toEqual([-1, -1, 1]);
    const rgba = { data: Uint8ClampedArray.of(255, 0, 0, 255, 0, 0, 255, 0), width: 2, height: 1 };
    expect(letterboxImage(rgba, 4, 4).data).toEqual(data);
    expect(letterboxImage(rgb, 4, 4, { range: [0, 1] }).data[(1 * 4 + 1) * 3]).toBeCloseTo(0.75, 6);
    expect(() => letterboxImage({ data: new Uint8Array(5), width: 2, height: 1 }, 4, 4)).toThrow(/RGBA/);
  });

  test('removeLetterbox maps input-normalised detections back to image pixels', () => {
    const lb = letterbox(256, 192, 128, 128);
    // A box at image pixels (100, 40) 40×50, keypoint (120, 60), in input-normalised terms:
    const toInput = (x: number, y: number) => ({ x: (x * 0.5) / 128, y: (y * 0.5 + 16) / 128 });
    const corner = toInput(100, 40);
    const d: Detection = { score: 0.8, box: { ...corner, width: (40 * 0.5) / 128, height: (50 * 0.5) / 128 }, keypoints: [toInput(120, 60)] };
    const [back] = removeLetterbox([d], lb);
    expect(back!.score).toBe(0.8);
    expect(back!.box.x).toBeCloseTo(100, 10);
    expect(back!.box.y).toBeCloseTo(40, 10);
    expect(back!.box.width).toBeCloseTo(40, 10);
    expect(back!.box.height).toBeCloseTo(50, 10);
    expect(back!.keypoints[0]!.x).toBeCloseTo(120, 10);
    expect(back!.keypoints[0]!.y).toBeCloseTo(60, 10);
  });
});
