// Images in and out: sources (bundled photo, file) to NHWC float data in 0..1, and
// float data back to canvas pixels (the CPU drawing); the webcam (its frames go to
// engine.fromPixels, see live.ts and faces.ts).

import type { DisplayMode } from './presets.js';

/** An RGB image as NHWC [1, height, width, 3] floats in 0..1. */
export interface RgbImage {
  data: Float32Array;
  width: number;
  height: number;
}

/** Largest image the page works on: sources are scaled down to fit this box (cost stays bounded). */
export const MAX_WIDTH = 240;
export const MAX_HEIGHT = 160;

/**
 * The region (sx, sy, sw, sh) of `source` drawn into a width × height canvas (scaled
 * by the canvas, smoothing 'high'), read back as an RgbImage.
 */
function readRgb(source: CanvasImageSource, [sx, sy, sw, sh]: readonly number[], width: number, height: number): RgbImage {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('no 2D canvas context');
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(source, sx as number, sy as number, sw as number, sh as number, 0, 0, width, height);
  const px = ctx.getImageData(0, 0, width, height).data;
  const data = new Float32Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    data[p * 3] = (px[p * 4] ?? 0) / 255;
    data[p * 3 + 1] = (px[p * 4 + 1] ?? 0) / 255;
    data[p * 3 + 2] = (px[p * 4 + 2] ?? 0) / 255;
  }
  return { data, width, height };
}

/** The size a srcWidth × srcHeight source is scaled to so that it fits maxWidth × maxHeight (never enlarged, aspect ratio kept). */
export function fitSize(srcWidth: number, srcHeight: number, maxWidth = MAX_WIDTH, maxHeight = MAX_HEIGHT): { width: number; height: number } {
  const scale = Math.min(1, maxWidth / srcWidth, maxHeight / srcHeight);
  return { width: Math.max(1, Math.round(srcWidth * scale)), height: Math.max(1, Math.round(srcHeight * scale)) };
}

/** Scales any drawable source to fit maxWidth × maxHeight (default: the page's box) and converts it to an RgbImage. */
export function toRgbImage(source: CanvasImageSource, srcWidth: number, srcHeight: number, maxWidth = MAX_WIDTH, maxHeight = MAX_HEIGHT): RgbImage {
  const { width, height } = fitSize(srcWidth, srcHeight, maxWidth, maxHeight);
  return readRgb(source, [0, 0, srcWidth, srcHeight], width, height);
}

/** Loads an image URL (same origin or a blob: URL) as an RgbImage that fits maxWidth × maxHeight. */
export async function loadImage(url: string, maxWidth = MAX_WIDTH, maxHeight = MAX_HEIGHT): Promise<RgbImage> {
  const img = new Image();
  img.decoding = 'async';
  img.src = url;
  await img.decode();
  return toRgbImage(img, img.naturalWidth, img.naturalHeight, maxWidth, maxHeight);
}

/** Loads an image file the user picked or dropped; rejects with a message naming it when it is not an image the browser decodes. */
export async function loadImageFile(file: File, maxWidth = MAX_WIDTH, maxHeight = MAX_HEIGHT): Promise<RgbImage> {
  const url = URL.createObjectURL(file);
  try {
    return await loadImage(url, maxWidth, maxHeight);
  } catch {
    throw new Error(`${file.name}: not an image this browser can decode`);
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** The region (sx, sy, sw, sh) of `image` resized to width × height (bilinear, by the canvas), still in 0..1. */
function resample(image: RgbImage, region: readonly number[], width: number, height: number): RgbImage {
  const src = document.createElement('canvas');
  drawRgb(src, image.data, image.width, image.height, 'clip');
  return readRgb(src, region, width, height);
}

/**
 * The largest centred region of `image` with the aspect ratio of width × height, resized
 * to width × height (bilinear, by the canvas; smaller images are upsampled), still in 0..1.
 */
export function centreCrop(image: RgbImage, width: number, height: number): RgbImage {
  const scale = Math.min(image.width / width, image.height / height);
  const [sw, sh] = [width * scale, height * scale];
  return resample(image, [(image.width - sw) / 2, (image.height - sh) / 2, sw, sh], width, height);
}

/** The whole of `image` resized to width × height, aspect ratio not kept. */
export function stretched(image: RgbImage, width: number, height: number): RgbImage {
  return resample(image, [0, 0, image.width, image.height], width, height);
}

/** A webcam playing into a detached, muted <video>; stop() ends the stream (idempotent). */
export interface Webcam {
  readonly video: HTMLVideoElement;
  readonly stopped: boolean;
  stop(): void;
}

/**
 * Asks for the webcam (about 320×240, no audio) and starts playing it. Rejects with an
 * Error saying why when there is no webcam access (no mediaDevices outside https and
 * localhost, permission denied, no camera).
 */
export async function startWebcam(): Promise<Webcam> {
  if (!navigator.mediaDevices?.getUserMedia) throw new Error('no webcam access in this browser (needs https or localhost)');
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 320 }, height: { ideal: 240 } }, audio: false });
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = stream;
  let stopped = false;
  const cam: Webcam = {
    video,
    get stopped() {
      return stopped;
    },
    stop() {
      if (stopped) return;
      stopped = true;
      stream.getTracks().forEach((t) => t.stop());
      video.srcObject = null;
    },
  };
  try {
    await video.play();
  } catch (e) {
    cam.stop();
    throw e;
  }
  return cam;
}

/** Does the webcam have a frame to read (its <video> has current data, the stream not stopped)? */
export function webcamReady(cam: Webcam): boolean {
  return !cam.stopped && cam.video.readyState >= 2 && cam.video.videoWidth > 0;
}

/** Maps a value to 0..1 under a display mode; `lo`/`hi` are the stretch range. */
function mapper(mode: DisplayMode, lo: number, hi: number): (v: number) => number {
  switch (mode) {
    case 'clip':
      return (v) => v;
    case 'abs':
      return (v) => Math.abs(v);
    case 'signed':
      return (v) => 0.5 + 0.5 * v;
    case 'stretch': {
      const s = hi > lo ? 1 / (hi - lo) : 1;
      return (v) => (v - lo) * s;
    }
  }
}

function range(data: Float32Array, stride: number, offset: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = offset; i < data.length; i += stride) {
    const v = data[i] as number;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

function context(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D {
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas context');
  return ctx;
}

/** Draws NHWC data with 3 channels as RGB. */
export function drawRgb(canvas: HTMLCanvasElement, data: Float32Array, width: number, height: number, mode: DisplayMode): void {
  const ctx = context(canvas, width, height);
  const [lo, hi] = mode === 'stretch' ? range(data, 1, 0) : [0, 1];
  const f = mapper(mode, lo, hi);
  const img = ctx.createImageData(width, height);
  for (let p = 0; p < width * height; p++) {
    // ImageData clamps to 0..255.
    img.data[p * 4] = 255 * f(data[p * 3] as number);
    img.data[p * 4 + 1] = 255 * f(data[p * 3 + 1] as number);
    img.data[p * 4 + 2] = 255 * f(data[p * 3 + 2] as number);
    img.data[p * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

/** Draws channel `c` of NHWC data with `channels` channels as a grey image. */
export function drawChannel(
  canvas: HTMLCanvasElement,
  data: Float32Array,
  width: number,
  height: number,
  channels: number,
  c: number,
  mode: DisplayMode,
): void {
  const ctx = context(canvas, width, height);
  const [lo, hi] = mode === 'stretch' ? range(data, channels, c) : [0, 1];
  const f = mapper(mode, lo, hi);
  const img = ctx.createImageData(width, height);
  for (let p = 0; p < width * height; p++) {
    const g = 255 * f(data[p * channels + c] as number);
    img.data[p * 4] = g;
    img.data[p * 4 + 1] = g;
    img.data[p * 4 + 2] = g;
    img.data[p * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

// Viridis, sampled at 9 points; linear interpolation in between.
const VIRIDIS: readonly (readonly [number, number, number])[] = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
];

const LUT = (() => {
  const lut = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * (VIRIDIS.length - 1);
    const j = Math.min(VIRIDIS.length - 2, Math.floor(t));
    const u = t - j;
    const a = VIRIDIS[j] as readonly number[];
    const b = VIRIDIS[j + 1] as readonly number[];
    for (let k = 0; k < 3; k++) lut[i * 3 + k] = (a[k] as number) + u * ((b[k] as number) - (a[k] as number));
  }
  return lut;
})();

/**
 * Draws every channel of NHWC data as a tile of a `cols`-wide mosaic, each tile
 * stretched over its own min..max and coloured with viridis; 1-pixel gaps between tiles.
 */
export function drawMosaic(
  canvas: HTMLCanvasElement,
  data: Float32Array,
  width: number,
  height: number,
  channels: number,
  cols: number,
): void {
  const rows = Math.ceil(channels / cols);
  const gap = 2;
  const W = cols * width + (cols - 1) * gap;
  const H = rows * height + (rows - 1) * gap;
  const ctx = context(canvas, W, H);
  const img = ctx.createImageData(W, H);
  img.data.fill(0); // transparent gaps: the card background shows through
  for (let c = 0; c < channels; c++) {
    const [lo, hi] = range(data, channels, c);
    const s = hi > lo ? 255 / (hi - lo) : 0;
    const ox = (c % cols) * (width + gap);
    const oy = Math.floor(c / cols) * (height + gap);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const v = Math.round(((data[(y * width + x) * channels + c] as number) - lo) * s);
        const o = ((oy + y) * W + ox + x) * 4;
        img.data[o] = LUT[v * 3] as number;
        img.data[o + 1] = LUT[v * 3 + 1] as number;
        img.data[o + 2] = LUT[v * 3 + 2] as number;
        img.data[o + 3] = 255;
      }
    }
  }
  ctx.putImageData(img, 0, 0);
}

/** Largest |a − b| over two equally long arrays (Infinity when lengths differ or a NaN appears). */
export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs((a[i] as number) - (b[i] as number));
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

/**
 * Number of linearly independent channels of NHWC data: the rank of the channels'
 * Gram matrix (float64, Jacobi eigenvalues), counting eigenvalues above
 * `relTol`² × the largest (so singular values above relTol × the largest).
 */
export function channelRank(data: Float32Array, channels: number, relTol = 1e-4): number {
  const n = channels;
  const pixels = data.length / n;
  const g = new Float64Array(n * n);
  for (let p = 0; p < pixels; p++) {
    const base = p * n;
    for (let i = 0; i < n; i++) {
      const vi = data[base + i] as number;
      if (vi === 0) continue;
      for (let j = i; j < n; j++) g[i * n + j] = (g[i * n + j] as number) + vi * (data[base + j] as number);
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) g[i * n + j] = g[j * n + i] as number;
  const eig = jacobiEigenvalues(g, n);
  const max = Math.max(...eig);
  if (!(max > 0)) return 0;
  return eig.filter((e) => e > max * relTol * relTol).length;
}

/** Eigenvalues of a symmetric n×n matrix (cyclic Jacobi; `a` is overwritten). */
function jacobiEigenvalues(a: Float64Array, n: number): number[] {
  const at = (i: number, j: number) => a[i * n + j] as number;
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += at(i, j) ** 2;
    let diag = 0;
    for (let i = 0; i < n; i++) diag += at(i, i) ** 2;
    if (off <= 1e-30 * diag) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = at(p, q);
        if (apq === 0) continue;
        const theta = (at(q, q) - at(p, p)) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = at(k, p);
          const akq = at(k, q);
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = at(p, k);
          const aqk = at(q, k);
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
      }
    }
  }
  return Array.from({ length: n }, (_, i) => at(i, i));
}
