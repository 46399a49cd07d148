// Filter presets of the live-image section: k×k depthwise kernels (applied to
// every channel) and 3×3 channel-mixing matrices for the pointwise step.

/** How signed outputs are shown: clipped to 0..1, as |x|, centred on grey, or stretched min..max. */
export type DisplayMode = 'clip' | 'abs' | 'signed' | 'stretch';

export interface KernelPreset {
  id: string;
  label: string;
  /** Kernel size. */
  k: number;
  /** Row-major k×k weights. */
  weights: number[];
  /** The display that suits the filter's output (edge filters give signed values). */
  display: DisplayMode;
}

const binomial5 = [1, 4, 6, 4, 1];

export const KERNEL_PRESETS: readonly KernelPreset[] = [
  { id: 'identity', label: 'Identity', k: 3, weights: [0, 0, 0, 0, 1, 0, 0, 0, 0], display: 'clip' },
  { id: 'box', label: 'Box blur 3×3', k: 3, weights: Array<number>(9).fill(1 / 9), display: 'clip' },
  { id: 'gaussian', label: 'Gaussian 3×3', k: 3, weights: [1, 2, 1, 2, 4, 2, 1, 2, 1].map((v) => v / 16), display: 'clip' },
  {
    id: 'gaussian5',
    label: 'Gaussian 5×5',
    k: 5,
    weights: binomial5.flatMap((a) => binomial5.map((b) => (a * b) / 256)),
    display: 'clip',
  },
  { id: 'sharpen', label: 'Sharpen', k: 3, weights: [0, -1, 0, -1, 5, -1, 0, -1, 0], display: 'clip' },
  { id: 'sobel-x', label: 'Sobel x', k: 3, weights: [-1, 0, 1, -2, 0, 2, -1, 0, 1], display: 'abs' },
  { id: 'sobel-y', label: 'Sobel y', k: 3, weights: [-1, -2, -1, 0, 0, 0, 1, 2, 1], display: 'abs' },
  { id: 'emboss', label: 'Emboss', k: 3, weights: [-2, -1, 0, -1, 1, 1, 0, 1, 2], display: 'clip' },
  { id: 'outline', label: 'Outline', k: 3, weights: [-1, -1, -1, -1, 8, -1, -1, -1, -1], display: 'abs' },
];

export interface MixPreset {
  id: string;
  label: string;
  /** Row-major 3×3: rows are output channels R′ G′ B′, columns input channels R G B. */
  matrix: number[];
}

export const MIX_PRESETS: readonly MixPreset[] = [
  { id: 'identity', label: 'Identity', matrix: [1, 0, 0, 0, 1, 0, 0, 0, 1] },
  { id: 'grayscale', label: 'Grayscale', matrix: [0.299, 0.587, 0.114, 0.299, 0.587, 0.114, 0.299, 0.587, 0.114] },
  { id: 'sepia', label: 'Sepia', matrix: [0.393, 0.769, 0.189, 0.349, 0.686, 0.168, 0.272, 0.534, 0.131] },
  { id: 'swap', label: 'Channel swap RGB→BGR', matrix: [0, 0, 1, 0, 1, 0, 1, 0, 0] },
];

/** A k×k kernel resized to `k2`: centred crop, or zero padding around it. */
export function resizeKernel(weights: readonly number[], k: number, k2: number): number[] {
  const out = new Array<number>(k2 * k2).fill(0);
  const off = (k2 - k) / 2; // both odd: an integer
  for (let y = 0; y < k2; y++) {
    for (let x = 0; x < k2; x++) {
      const sy = y - off;
      const sx = x - off;
      if (sy >= 0 && sy < k && sx >= 0 && sx < k) out[y * k2 + x] = weights[sy * k + sx] ?? 0;
    }
  }
  return out;
}

/** The depthwise filter [k, k, C, 1] (HWIO) that applies the same k×k kernel to each of C channels. */
export function depthwiseFilter(weights: readonly number[], k: number, channels: number): Float32Array {
  const f = new Float32Array(k * k * channels);
  for (let i = 0; i < k * k; i++) for (let c = 0; c < channels; c++) f[i * channels + c] = weights[i] ?? 0;
  return f;
}

/** The pointwise filter [Cin, Cout] of a row-major out×in mixing matrix (its transpose). */
export function pointwiseFilter(matrix: readonly number[], channels: number): Float32Array {
  const f = new Float32Array(channels * channels);
  for (let o = 0; o < channels; o++) for (let i = 0; i < channels; i++) f[i * channels + o] = matrix[o * channels + i] ?? 0;
  return f;
}

/** Short text of a weight for a grid cell: at most 3 decimals (2 significant digits for tiny weights). */
export function formatWeight(v: number): string {
  if (Number.isInteger(v)) return String(v);
  const r = Number(v.toFixed(3));
  return String(r === 0 || Math.abs(r - v) > 0.05 * Math.abs(v) ? Number(v.toPrecision(2)) : r);
}
