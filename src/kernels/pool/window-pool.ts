// What the pooling kernels (vec4.ts, scalar.ts) share: the window as override
// constants (kernel_window.wgsl), the window loop and reduction (pool_accumulate.wgsl), one
// uniform block, and bands of output image rows as the depthwise kernels run:
// pooling is a depthwise convolution without weights.

import type { Pool2dParams } from '../../backend.js';
import { UniformSchema } from '../../gpu/uniforms.js';
import { convBands, type Band } from '../bands.js';
import { IMAGE_FIELDS, imageValues, PAD_FIELDS, padValues, ROW_BAND_FIELDS, rowBandValues } from '../conv-uniforms.js';
import { FLAT_WORKGROUP_SIZE, flatWorkgroups, kernelVariant, type Call, type KernelVariant } from '../descriptor.js';
import { flatGrid, kernelWindow, poolAccumulate, windowConstants } from '../fragments.js';
import { assembleKernel, fragment, ioBindings, type Binding, type Fragment } from '../wgsl.js';

export const poolParams = new UniformSchema('PoolParams', [
  ...IMAGE_FIELDS,
  ...PAD_FIELDS,
  ...ROW_BAND_FIELDS,
  ['inC4', 'u32'],
  ['init', 'f32'],
  ['empty', 'f32'],
] as const);

/** The public op a pooling call is, for errors and labels. */
export function poolOpName(p: Pool2dParams): 'maxPool' | 'avgPool' {
  return p.kind === 'max' ? 'maxPool' : 'avgPool';
}

/** A pooling variant: its main fragment (`run(id)`), its x element type, and its invocations per output row. */
export function poolVariant<const N extends string>(spec: {
  name: N;
  summary: string;
  supports: (p: Pool2dParams) => boolean;
  file: string;
  wgsl: string;
  /** Extra fragments the main one needs (an input loader). The main one provides `run(id)` and `poolLoad(pixel, c)`. */
  fragments: readonly Fragment[];
  /** What `run` reads besides the window and the reduction. */
  needs: readonly string[];
  xType: Binding['type'];
  /** Invocations per output row (outW·C elements). */
  perRow: (p: Pool2dParams) => number;
}): KernelVariant<Pool2dParams, N, never> {
  const shader = assembleKernel({
    name: `pool_${spec.name}`,
    uniforms: poolParams,
    bindings: ioBindings({ x: spec.xType, output: spec.xType }),
    fragments: [
      flatGrid,
      kernelWindow,
      poolAccumulate,
      ...spec.fragments,
      fragment(spec.file, spec.wgsl, {
        provides: ['run', 'poolLoad'],
        needs: ['poolWindow', 'y', ...spec.needs],
      }),
    ],
  });
  return kernelVariant<Pool2dParams, N>({
    name: spec.name,
    summary: spec.summary,
    tunables: {},
    supports: ({ params }: Call<Pool2dParams>) => spec.supports(params),
    shaders: [shader],
    shader: () => shader,
    constants: ({ params: p }) => ({
      WG: FLAT_WORKGROUP_SIZE,
      ...windowConstants(p),
      IS_MAX: p.kind === 'max' ? 1 : 0,
      COUNT_PAD: p.countIncludePad ? 1 : 0,
    }),
    dispatches: ({ params: p }, _v, limits) =>
      convBands(poolOpName(p), p, p.channels, p.channels, limits).map((b: Band) => ({
        uniforms: poolParams.pack({
          ...imageValues(p, p.channels),
          ...padValues(p),
          ...rowBandValues(b),
          inC4: Math.floor(p.channels / 4),
          init: p.kind === 'max' ? -Infinity : 0,
          empty: p.kind === 'max' ? -Infinity : NaN,
        }),
        workgroups: flatWorkgroups((b.row1 - b.row0) * spec.perRow(p)),
        ranges: { x: b.x, output: b.y },
      })),
  });
}
