// Layout conversion around the backends, which only see NHWC images and HWIO
// filters: NCHW inputs are transposed to NHWC and their outputs back, OIHW filters
// to HWIO. The transposes run on the backend, so the data stays on the GPU.

import type { Backend, Storage } from './backend.js';
import type { Layout } from './tensor.js';

/**
 * How filters are laid out: `'HWIO'` (TF.js/Keras, the default) or `'OIHW'` (PyTorch).
 * For each op, HWIO / OIHW shapes are:
 * - conv2d: `[kh, kw, Cin/groups, Cout]` / `[Cout, Cin/groups, kh, kw]`
 * - depthwise: `[kh, kw, C, M]` / `[C·M, 1, kh, kw]`
 * - pointwise: `[Cin, Cout]` or `[1, 1, Cin, Cout]` / `[Cout, Cin, 1, 1]`
 */
export type FilterLayout = 'HWIO' | 'OIHW';

/** OIHW → HWIO is the same transpose for every filter kind. */
const OIHW_TO_HWIO = [2, 3, 1, 0] as const;
const NCHW_TO_NHWC = [0, 2, 3, 1] as const;
const NHWC_TO_NCHW = [0, 3, 1, 2] as const;

/** Backend data with its shape and layout: a tensor's, or an op's result. */
export interface LaidOut {
  storage: Storage;
  shape: readonly number[];
  layout: Layout;
}

/** The NHWC shape `[N, H, W, C]` of a rank-4 image of the given layout. */
export function nhwcShape(shape: readonly number[], layout: Layout): [number, number, number, number] {
  const s = shape as readonly [number, number, number, number];
  return layout === 'NCHW' ? [s[0], s[2], s[3], s[1]] : [s[0], s[1], s[2], s[3]];
}

/**
 * Runs `body` on an NHWC view of the image `x` and returns its result (of NHWC shape
 * `outShape`) in `x`'s layout. The NHWC copies made on the way are released.
 */
export function inNhwc(
  be: Backend,
  x: LaidOut,
  body: (xs: Storage) => Storage,
  outShape: readonly [number, number, number, number],
): LaidOut {
  if (x.layout === 'NHWC') return { storage: body(x.storage), shape: outShape, layout: 'NHWC' };
  const xs = be.permute(x.storage, { inShape: x.shape, perm: NCHW_TO_NHWC });
  const out = body(xs);
  be.release(xs);
  const back = be.permute(out, { inShape: outShape, perm: NHWC_TO_NCHW });
  be.release(out);
  return { storage: back, shape: NHWC_TO_NCHW.map((d) => outShape[d] as number), layout: 'NCHW' };
}

/** Runs `body` with the filter in HWIO order, transposing an OIHW filter first (and releasing the copy). */
export function withHwioFilter(
  be: Backend,
  filter: { storage: Storage; shape: readonly number[] },
  layout: FilterLayout,
  body: (fs: Storage) => Storage,
): Storage {
  if (layout === 'HWIO') return body(filter.storage);
  const hwio = be.permute(filter.storage, { inShape: filter.shape, perm: OIHW_TO_HWIO });
  const out = body(hwio);
  be.release(hwio);
  return out;
}
