// Detections and MediaPipe's weighted non-max suppression
// (mediapipe/calculators/util/non_max_suppression_calculator.cc, algorithm WEIGHTED, overlap type
// INTERSECTION_OVER_UNION). Unlike greedy NMS, which keeps the best box of a cluster as it is, the
// weighted variant replaces it by the score-weighted mean of every box that overlaps it by more than
// the threshold (itself included), keypoints too, and keeps the best box's score: BlazeFace's
// anchors fire in clusters around a face, and the mean of the cluster is steadier than its best box.

import { SepconvError } from '../errors.js';

/** A point, in the units of the detection it belongs to. */
export interface Point {
  x: number;
  y: number;
}

/** An axis-aligned box: its top-left corner and its size. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * One detected object: its score (0..1), box and keypoints. The units are those of the step that
 * made it: `decodeBlazeFace` gives coordinates normalised to the model input (0..1),
 * `removeLetterbox` gives pixels of the original image.
 */
export interface Detection {
  score: number;
  box: Box;
  keypoints: Point[];
}

/**
 * Intersection over union of two boxes: 0 when they do not overlap (or either is empty), 1 when
 * they are the same box.
 *
 * @example
 * iou({ x: 0, y: 0, width: 2, height: 2 }, { x: 1, y: 0, width: 2, height: 2 }); // 2 / 6
 */
export function iou(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = Math.max(a.width, 0) * Math.max(a.height, 0) + Math.max(b.width, 0) * Math.max(b.height, 0) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * MediaPipe's weighted non-max suppression. Taking detections by decreasing score (ties in input
 * order), the best remaining one and every remaining detection whose IoU with it is greater than
 * `iouThreshold` form a cluster; the cluster becomes one detection whose box corners and keypoints
 * are the score-weighted means of the cluster's and whose score is the best one's. Returns the
 * merged detections, best first. The input is not modified.
 *
 * @example
 * weightedNonMaxSuppression(detections, 0.3); // BlazeFace's threshold
 */
export function weightedNonMaxSuppression(detections: readonly Detection[], iouThreshold: number): Detection[] {
  if (!(iouThreshold >= 0 && iouThreshold <= 1)) {
    throw new SepconvError('INVALID_ARGUMENT', { op: 'weightedNonMaxSuppression', arg: 'iouThreshold', expected: 'a number in [0, 1]', given: String(iouThreshold) });
  }
  // A stable sort, so equal scores keep their input (anchor) order.
  let remaining = detections.map((d, i) => ({ d, i })).sort((p, q) => q.d.score - p.d.score || p.i - q.i).map((p) => p.d);
  const out: Detection[] = [];
  while (remaining.length > 0) {
    const best = remaining[0] as Detection;
    const cluster: Detection[] = [];
    const rest: Detection[] = [];
    for (const d of remaining) (iou(d.box, best.box) > iouThreshold ? cluster : rest).push(d);
    // An empty best box overlaps nothing, not even itself: it is kept as it is. (MediaPipe keeps it
    // too, then stops, dropping every detection after it; this goes on with the rest.)
    if (cluster.length === 0) {
      out.push(best);
      remaining = remaining.slice(1);
      continue;
    }
    let total = 0;
    let x0 = 0;
    let y0 = 0;
    let x1 = 0;
    let y1 = 0;
    const kx = new Array<number>(best.keypoints.length).fill(0);
    const ky = new Array<number>(best.keypoints.length).fill(0);
    for (const d of cluster) {
      const s = d.score;
      total += s;
      x0 += d.box.x * s;
      y0 += d.box.y * s;
      x1 += (d.box.x + d.box.width) * s;
      y1 += (d.box.y + d.box.height) * s;
      for (let k = 0; k < kx.length; k++) {
        const p = d.keypoints[k];
        if (p === undefined) {
          throw new SepconvError('SHAPE_MISMATCH', { op: 'weightedNonMaxSuppression', arg: 'detections', expected: `${kx.length} keypoints in every detection`, given: String(d.keypoints.length) });
        }
        kx[k] = (kx[k] as number) + p.x * s;
        ky[k] = (ky[k] as number) + p.y * s;
      }
    }
    if (!(total > 0)) {
      // Scores all zero: no weights to average with, keep the best box as it is.
      out.push(best);
      remaining = rest;
      continue;
    }
    const x = x0 / total;
    const y = y0 / total;
    out.push({
      score: best.score,
      box: { x, y, width: x1 / total - x, height: y1 / total - y },
      keypoints: kx.map((v, k) => ({ x: v / total, y: (ky[k] as number) / total })),
    });
    remaining = rest;
  }
  return out;
}
