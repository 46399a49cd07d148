// Engine.fromPixels: what a pixel source is, its size, the options checked and
// resolved into PixelsParams (crop and sampling step of each fit), and reading a
// browser image's pixels through a canvas for the CPU backend.

import type { PixelsParams } from './backend.js';
import { SepconvError, describe } from './errors.js';
import type { FromPixelsOptions, PixelData } from './options.js';
import type { Layout } from './tensor.js';
import { invalid } from './validate.js';

const OP = 'fromPixels';
const f = Math.fround;

/** Anything fromPixels takes: what the GPU copies itself, or RGBA8 bytes. */
export type PixelSource = GPUCopyExternalImageSource | PixelData;

/**
 * RGBA8 bytes with a width and height: ImageData, or a plain object of that shape
 * (jpeg-js, pngjs and sharp's raw output give one). Not a browser image element.
 */
export function isPixelData(s: object): s is PixelData {
  const d = (s as { data?: unknown }).data;
  return (d instanceof Uint8Array || d instanceof Uint8ClampedArray) && typeof (s as PixelData).width === 'number';
}

/** The source's size in pixels, [width, height], checked to be a usable image. */
export function sourceSize(source: unknown): [number, number] {
  if (source === null || typeof source !== 'object') throw invalid(OP, 'source', 'an image, canvas, video, VideoFrame, ImageBitmap, ImageData or { data, width, height }', describe(source));
  const s = source as Record<string, unknown>;
  let size: [unknown, unknown];
  if ('videoWidth' in s) {
    // HTMLVideoElement: a current frame needs readyState ≥ HAVE_CURRENT_DATA (2).
    if ((s.readyState as number) < 2) throw invalid(OP, 'source', 'a video with a current frame (readyState ≥ 2, HAVE_CURRENT_DATA)', `readyState ${String(s.readyState)}`);
    size = [s.videoWidth, s.videoHeight];
  } else if ('displayWidth' in s && 'codedWidth' in s) {
    size = [s.displayWidth, s.displayHeight]; // VideoFrame
  } else if ('naturalWidth' in s) {
    if (s.complete === false) throw invalid(OP, 'source', 'an image element that has loaded (await img.decode())', 'one still loading');
    size = [s.naturalWidth, s.naturalHeight]; // HTMLImageElement
  } else {
    size = [s.width, s.height]; // ImageBitmap, ImageData, canvases, PixelData
  }
  const [w, h] = size;
  if (!Number.isInteger(w) || !Number.isInteger(h) || (w as number) < 1 || (h as number) < 1) {
    throw invalid(OP, 'source', 'an image of at least 1×1 pixels', `width ${describe(w)}, height ${describe(h)}`);
  }
  if (isPixelData(source)) {
    const want = (w as number) * (h as number) * 4;
    if (source.data.length !== want) {
      throw invalid(OP, 'source.data', `${want} bytes (RGBA, ${String(w)}×${String(h)})`, `${source.data.length} bytes`);
    }
  }
  return [w as number, h as number];
}

/** Options checked and resolved, with the source's size, into the kernel's parameters and the output's shape. */
export function pixelsParams(srcW: number, srcH: number, options: FromPixelsOptions): { params: PixelsParams; shape: number[]; layout: Layout } {
  const size = options.size ?? [srcH, srcW];
  if (!Array.isArray(size) || size.length !== 2 || !size.every((d) => Number.isInteger(d) && d >= 1)) {
    throw invalid(OP, 'options.size', '[height, width], positive integers', describe(size));
  }
  const [outH, outW] = size as [number, number];
  const channels = options.channels ?? 3;
  if (channels !== 3 && channels !== 4) throw invalid(OP, 'options.channels', '3 (RGB) or 4 (RGBA)', describe(channels));
  const layout = options.layout ?? 'NHWC';
  if (layout !== 'NHWC' && layout !== 'NCHW') throw invalid(OP, 'options.layout', "'NHWC' or 'NCHW'", describe(layout));
  const fit = options.fit ?? 'stretch';
  if (fit !== 'stretch' && fit !== 'cover' && fit !== 'contain') throw invalid(OP, 'options.fit', "'stretch', 'cover' or 'contain'", describe(fit));
  const scale = options.scale ?? 1 / 255;
  if (typeof scale !== 'number' || !Number.isFinite(scale)) throw invalid(OP, 'options.scale', 'a finite number', describe(scale));
  const mean = perChannel('options.mean', options.mean ?? 0, channels, () => true, 'finite numbers');
  const std = perChannel('options.std', options.std ?? 1, channels, (v) => v !== 0, 'finite non-zero numbers');

  // 'cover': the centred region of the source with the output's aspect ratio.
  let [cropX, cropY, cropW, cropH] = [0, 0, srcW, srcH];
  if (fit === 'contain') {
    // The whole source scaled by k to fit, centred (as src/vision's letterbox): the output
    // spans source coordinates −offset/k … (out − offset)/k on each axis.
    const k = Math.min(outW / srcW, outH / srcH);
    cropX = -(outW - srcW * k) / 2 / k;
    cropY = -(outH - srcH * k) / 2 / k;
    cropW = outW / k;
    cropH = outH / k;
  } else if (fit === 'cover') {
    if (srcW * outH > srcH * outW) {
      cropW = (srcH * outW) / outH;
      cropX = (srcW - cropW) / 2;
    } else {
      cropH = (srcW * outH) / outW;
      cropY = (srcH - cropH) / 2;
    }
  }
  const params: PixelsParams = {
    srcW,
    srcH,
    rowStride: srcW,
    outW,
    outH,
    channels,
    nchw: layout === 'NCHW',
    cropX: f(cropX),
    cropY: f(cropY),
    stepX: f(cropW / outW),
    stepY: f(cropH / outH),
    scale: f(scale),
    bands: fit === 'contain',
    mean: [...mean, 0, 0, 0, 0].slice(0, 4).map(f),
    std: [...std, 1, 1, 1, 1].slice(0, 4).map(f),
  };
  return { params, shape: layout === 'NCHW' ? [1, channels, outH, outW] : [1, outH, outW, channels], layout };
}

function perChannel(arg: string, v: unknown, channels: number, ok: (v: number) => boolean, what: string): number[] {
  const values = typeof v === 'number' ? new Array<number>(channels).fill(v) : v;
  if (!Array.isArray(values) || values.length !== channels || !values.every((x) => typeof x === 'number' && Number.isFinite(x) && ok(x))) {
    throw invalid(OP, arg, `a number or ${channels} ${what}, one per channel`, describe(v));
  }
  return values as number[];
}

/** RGBA8 bytes of a source: its own for pixel data, else drawn on a canvas (browsers and workers). */
export function sourceBytes(source: PixelSource, width: number, height: number): Uint8Array {
  if (isPixelData(source)) return new Uint8Array(source.data.buffer, source.data.byteOffset, source.data.byteLength);
  if (typeof OffscreenCanvas === 'undefined') {
    throw invalid(OP, 'source', 'pixel data { data, width, height } where there is no canvas (Node)', describe(source));
  }
  const ctx = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
  if (!ctx) throw invalid(OP, 'source', 'a source a 2D canvas can draw', 'no 2D canvas context available');
  try {
    ctx.drawImage(source as CanvasImageSource, 0, 0, width, height);
    const data = ctx.getImageData(0, 0, width, height).data;
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  } catch (cause) {
    // A cross-origin image taints the canvas (SecurityError); a closed VideoFrame or ImageBitmap cannot be drawn.
    throw new SepconvError('INVALID_ARGUMENT', { op: OP, arg: 'source', expected: 'a source whose pixels can be read', given: `one the canvas refused: ${String((cause as Error)?.message ?? cause)}`, cause });
  }
}
