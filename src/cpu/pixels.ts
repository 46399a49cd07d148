import type { PixelsParams } from '../backend.js';

const f = Math.fround;

/**
 * Reference of Engine.fromPixels: bilinear sampling with half-pixel centres (as
 * tf.image.resizeBilinear with halfPixelCenters: a source coordinate outside the image
 * takes the edge pixel; with `bands`, a position outside the image is black), then (v·scale − mean) / std, each step rounded to f32 as the
 * GPU kernel computes it (it may fuse a multiply-add, so the two agree to a few ulps).
 */
export function pixelsCpu(bytes: Uint8Array, p: PixelsParams): Float32Array {
  const { outW, outH, channels: C } = p;
  const y = new Float32Array(outH * outW * C);
  const texel = (ix: number, iy: number, c: number) => bytes[(iy * p.rowStride + ix) * 4 + c] as number;
  const black = (c: number) => f(f(-(p.mean[c] as number)) / (p.std[c] as number));
  for (let oy = 0; oy < outH; oy++) {
    const v = f(p.cropY + f(f(oy + 0.5) * p.stepY));
    const sy = Math.min(Math.max(f(v - 0.5), 0), p.srcH - 1);
    const y0 = Math.floor(sy);
    const y1 = Math.min(y0 + 1, p.srcH - 1);
    const fy = f(sy - y0);
    for (let ox = 0; ox < outW; ox++) {
      const u = f(p.cropX + f(f(ox + 0.5) * p.stepX));
      const sx = Math.min(Math.max(f(u - 0.5), 0), p.srcW - 1);
      const band = p.bands && (u < 0 || u >= p.srcW || v < 0 || v >= p.srcH);
      const x0 = Math.floor(sx);
      const x1 = Math.min(x0 + 1, p.srcW - 1);
      const fx = f(sx - x0);
      for (let c = 0; c < C; c++) {
        const top = mix(texel(x0, y0, c), texel(x1, y0, c), fx);
        const bottom = mix(texel(x0, y1, c), texel(x1, y1, c), fx);
        const value = band ? black(c) : f(f(f(mix(top, bottom, fy) * p.scale) - (p.mean[c] as number)) / (p.std[c] as number));
        y[p.nchw ? (c * outH + oy) * outW + ox : (oy * outW + ox) * C + c] = value;
      }
    }
  }
  return y;
}

/** WGSL's mix(a, b, t) = a·(1 − t) + b·t, in f32. */
function mix(a: number, b: number, t: number): number {
  return f(f(a * f(1 - t)) + f(b * t));
}
