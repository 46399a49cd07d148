// Fitting an image into a detector's square input and back, as MediaPipe's face detection graphs do
// (ImageToTensorCalculator with keep_aspect_ratio and BORDER_ZERO, then
// DetectionLetterboxRemovalCalculator): the image is scaled to fit, centred, the bands left over
// are black, and detections found on that input are mapped back to the image.

import { SepconvError } from '../errors.js';
import type { Detection } from './detection.js';

/** Where an image lies in a model input: input pixel = image pixel · `scale` + offset. */
export interface Letterbox {
  /** The image's size in pixels. */
  srcWidth: number;
  srcHeight: number;
  /** The model input's size in pixels. */
  width: number;
  height: number;
  /** min(width / srcWidth, height / srcHeight): the whole image fits, aspect ratio kept. */
  scale: number;
  /** Left band, in input pixels: (width − srcWidth · scale) / 2. */
  offsetX: number;
  /** Top band, in input pixels: (height − srcHeight · scale) / 2. */
  offsetY: number;
}

/**
 * Pixels of an image, row-major from the top-left: RGBA (4 bytes a pixel, as `ImageData` and
 * most decoders give) or RGB (3 bytes a pixel); the length tells which.
 */
export interface RgbImage {
  data: ArrayLike<number>;
  width: number;
  height: number;
}

function checkSize(op: string, arg: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw new SepconvError('INVALID_ARGUMENT', { op, arg, expected: 'a positive integer', given: String(value) });
  }
}

/**
 * How an image of `srcWidth`×`srcHeight` fits a `width`×`height` input with its aspect ratio kept
 * and centred (MediaPipe's FIT / keep_aspect_ratio).
 *
 * @example
 * letterbox(256, 192, 128, 128); // { scale: 0.5, offsetX: 0, offsetY: 16, … }
 */
export function letterbox(srcWidth: number, srcHeight: number, width: number, height: number): Letterbox {
  checkSize('letterbox', 'srcWidth', srcWidth);
  checkSize('letterbox', 'srcHeight', srcHeight);
  checkSize('letterbox', 'width', width);
  checkSize('letterbox', 'height', height);
  const scale = Math.min(width / srcWidth, height / srcHeight);
  return { srcWidth, srcHeight, width, height, scale, offsetX: (width - srcWidth * scale) / 2, offsetY: (height - srcHeight * scale) / 2 };
}

/**
 * An image made into a detector input: letterboxed into `width`×`height` (see {@link letterbox}),
 * resampled bilinearly (pixel centres aligned, no antialiasing: what MediaPipe's CPU path does, so
 * scale large photos down first, e.g. with a canvas), RGB values mapped from 0..255 to `range`
 * (default [-1, 1], BlazeFace's), the bands at `range[0]` (black). Returns the data as NHWC
 * `[1, height, width, 3]` and the letterbox, for {@link removeLetterbox}.
 *
 * @example
 * const { data, letterbox } = letterboxImage(imageData, 128, 128);
 * const x = engine.tensor(data, [1, 128, 128, 3]);
 */
export function letterboxImage(
  image: RgbImage,
  width: number,
  height: number,
  options: { range?: readonly [number, number] } = {},
): { data: Float32Array<ArrayBuffer>; letterbox: Letterbox } {
  const { width: sw, height: sh, data: src } = image;
  const box = letterbox(sw, sh, width, height);
  const pixels = sw * sh;
  const channels = src.length === pixels * 4 ? 4 : src.length === pixels * 3 ? 3 : 0;
  if (channels === 0) {
    throw new SepconvError('SHAPE_MISMATCH', {
      op: 'letterboxImage',
      arg: 'image.data',
      expected: `${pixels * 4} (RGBA) or ${pixels * 3} (RGB) values for ${sw}×${sh}`,
      given: String(src.length),
    });
  }
  const [lo, hi] = options.range ?? [-1, 1];
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
    throw new SepconvError('INVALID_ARGUMENT', { op: 'letterboxImage', arg: 'options.range', expected: 'two finite numbers', given: `[${lo}, ${hi}]` });
  }
  const k = (hi - lo) / 255;
  const out = new Float32Array(width * height * 3).fill(lo);
  const { scale, offsetX, offsetY } = box;
  const right = offsetX + sw * scale;
  const bottom = offsetY + sh * scale;
  for (let oy = 0; oy < height; oy++) {
    const cy = oy + 0.5;
    if (cy < offsetY || cy >= bottom) continue;
    const sy = Math.min(Math.max((cy - offsetY) / scale - 0.5, 0), sh - 1);
    const y0 = Math.floor(sy);
    const y1 = Math.min(y0 + 1, sh - 1);
    const fy = sy - y0;
    for (let ox = 0; ox < width; ox++) {
      const cx = ox + 0.5;
      if (cx < offsetX || cx >= right) continue;
      const sx = Math.min(Math.max((cx - offsetX) / scale - 0.5, 0), sw - 1);
      const x0 = Math.floor(sx);
      const x1 = Math.min(x0 + 1, sw - 1);
      const fx = sx - x0;
      const p00 = (y0 * sw + x0) * channels;
      const p01 = (y0 * sw + x1) * channels;
      const p10 = (y1 * sw + x0) * channels;
      const p11 = (y1 * sw + x1) * channels;
      const o = (oy * width + ox) * 3;
      for (let c = 0; c < 3; c++) {
        const top = (src[p00 + c] as number) * (1 - fx) + (src[p01 + c] as number) * fx;
        const bot = (src[p10 + c] as number) * (1 - fx) + (src[p11 + c] as number) * fx;
        out[o + c] = lo + k * (top * (1 - fy) + bot * fy);
      }
    }
  }
  return { data: out, letterbox: box };
}

/**
 * Maps detections normalised to the model input (what {@link decodeBlazeFace} returns) to pixels of
 * the original image, undoing the letterbox (MediaPipe's DetectionLetterboxRemovalCalculator, then
 * × the image size). Parts of a box that lie in a band map outside the image; they are not clipped.
 *
 * @example
 * const faces = removeLetterbox(decodeBlazeFace(outputs), letterbox); // boxes in image pixels
 */
export function removeLetterbox(detections: readonly Detection[], box: Letterbox): Detection[] {
  const { width, height, scale, offsetX, offsetY } = box;
  const px = (x: number) => (x * width - offsetX) / scale;
  const py = (y: number) => (y * height - offsetY) / scale;
  return detections.map((d) => ({
    score: d.score,
    box: { x: px(d.box.x), y: py(d.box.y), width: (d.box.width * width) / scale, height: (d.box.height * height) / scale },
    keypoints: d.keypoints.map((p) => ({ x: px(p.x), y: py(p.y) })),
  }));
}
