// The shared WGSL fragments and their contracts, in one place: what each
// provides to the kernels that include it, and what it needs from them (another
// fragment's names, or bindings). src/kernels/wgsl.ts checks every kernel
// against these when it is assembled. A kernel's own main fragment states its
// contract in its descriptor file.

import activationWgsl from '../../shaders/activation.wgsl?raw';
import stripWgsl from '../../shaders/depthwise_strip.wgsl?raw';
import tapWgsl from '../../shaders/depthwise_tap.wgsl?raw';
import flatGridWgsl from '../../shaders/flat_grid.wgsl?raw';
import gemmPixelWgsl from '../../shaders/gemm_pixel.wgsl?raw';
import gemmTiledWgsl from '../../shaders/gemm_tiled.wgsl?raw';
import kernelWindowWgsl from '../../shaders/kernel_window.wgsl?raw';
import pointwiseDirectStoreWgsl from '../../shaders/pointwise_direct_store.wgsl?raw';
import poolAccumulateWgsl from '../../shaders/pool_accumulate.wgsl?raw';
import vec4OutWgsl from '../../shaders/vec4_out.wgsl?raw';
import xGatherWgsl from '../../shaders/x_gather.wgsl?raw';
import xVec4Wgsl from '../../shaders/x_vec4.wgsl?raw';
import { ACTIVATIONS, type ActivationSpec } from '../activation.js';
import type { UniformType } from '../gpu/uniforms.js';
import type { ConvGeometry } from '../shape.js';
import { fragment } from './wgsl.js';

/** `leakyRelu` → `ACT_LEAKY_RELU`: the WGSL name of an activation id. */
export function activationConstant(name: string): string {
  return `ACT_${name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;
}

/** The activation ids as WGSL constants, generated from the one TS list so the two cannot drift. */
const activationIds = ACTIVATIONS.map((a, i) => `const ${activationConstant(a)}: u32 = ${i}u;`).join('\n');

/** `activate(v, alpha, beta)` and `activate4`, switching on the ACTIVATION override (an ACT_* id). */
export const activation = fragment('activation.wgsl', `${activationIds}\n${activationWgsl}`, {
  provides: ['ACTIVATION', 'activate', 'activate4', 'isNan', 'relu6', ...ACTIVATIONS.map(activationConstant)],
});

/**
 * The uniform fields a kernel passes to `activate(v, params.alpha, params.beta)`:
 * every kernel with an activation has them in its schema, filled by {@link activationValues}.
 */
export const ACTIVATION_FIELDS = [
  ['alpha', 'f32'],
  ['beta', 'f32'],
] as const satisfies readonly (readonly [string, UniformType])[];

/** The values of {@link ACTIVATION_FIELDS} for an activation. */
export function activationValues(act: ActivationSpec): { alpha: number; beta: number } {
  return { alpha: act.alpha, beta: act.beta };
}

/** The entry point of flat-grid kernels: calls the kernel's `run(id)` with the linear invocation index; WG invocations per workgroup. */
export const flatGrid = fragment('flat_grid.wgsl', flatGridWgsl, { provides: ['WG', 'main'], needs: ['run'] });

/** `store(row, ox, c4, acc)`: bias, activation and the vec4 write of output pixel (row, ox), channels 4·c4…. */
export const vec4Store = fragment('vec4_out.wgsl', vec4OutWgsl, { provides: ['HAS_BIAS', 'store'], needs: ['bias', 'y', 'activate4'] });

/** KH, KW, SH, SW, DH, DW: a k×k window as override constants, set by {@link windowConstants}; `windowRow(n, iy)`: an input row or OUTSIDE_ROW. */
export const kernelWindow = fragment('kernel_window.wgsl', kernelWindowWgsl, { provides: ['KH', 'KW', 'SH', 'SW', 'DH', 'DW', 'OUTSIDE_ROW', 'windowRow'] });

/** The values of {@link kernelWindow}'s constants for a convolution. */
export function windowConstants(g: ConvGeometry): Record<string, number> {
  return { KH: g.kH, KW: g.kW, SH: g.strideH, SW: g.strideW, DH: g.dilationH, DW: g.dilationW };
}

/**
 * `stripOf(id, cols)`: the strip of ROWS output rows, the channels and columns of a
 * strip-kernel invocation; `segment(n, iy, ix, c4, len)`: an input row segment.
 */
export const depthwiseStrip = fragment('depthwise_strip.wgsl', stripWgsl, { provides: ['ROWS', 'Strip', 'stripOf', 'Seg', 'segment'], needs: ['tap'] });

/** `tap(rowBase, ix, c4)`: 4 input channels at one input column, zero outside the row. */
export const depthwiseTap = fragment('depthwise_tap.wgsl', tapWgsl, { provides: ['tap'], needs: ['loadX'] });

/** `loadX(pixel, c4)` for M = 1: one vec4 load of x (an array of vec4f). */
export const loadXVec4 = fragment('x_vec4.wgsl', xVec4Wgsl, { provides: ['loadX'], needs: ['x'] });

/** `loadX(pixel, c4)` for M > 1: gathers input channel co / MULT for each of 4 output channels from x (an array of f32). */
export const loadXGather = fragment('x_gather.wgsl', xGatherWgsl, { provides: ['loadX', 'MULT'], needs: ['x'] });

/** `store(row, c4, acc)` of the direct pointwise kernels: bias, residual, activation, vec4 write of GEMM row `row`. */
export const pointwiseDirectStore = fragment('pointwise_direct_store.wgsl', pointwiseDirectStoreWgsl, {
  provides: ['HAS_BIAS', 'HAS_RESIDUAL', 'store'],
  needs: ['bias', 'residual', 'y', 'activate4'],
});

/** `outputPixel(row)`: the (n, oy, ox) of a GEMM row, for the A loaders that read an image. */
export const gemmPixel = fragment('gemm_pixel.wgsl', gemmPixelWgsl, { provides: ['outputPixel'] });

/** The tiled GEMM core with its own entry point; the kernel supplies `loadA`. */
export const gemmTiled = fragment('gemm_tiled.wgsl', gemmTiledWgsl, {
  provides: ['TILE_M', 'TILE_N', 'TILE_K', 'HAS_BIAS', 'HAS_RESIDUAL', 'tileA', 'tileB', 'storeRow', 'main'],
  needs: ['loadA', 'w', 'bias', 'residual', 'y', 'activate'],
});

/**
 * `poolWindow(n, oy, ox, c)` of the pooling kernels: the window's cells inside the
 * input, loaded by the kernel's `poolLoad(pixel, c)`, reduced by `accumulate4(acc, v)`
 * (max, NaN propagating, or sum) and `finish4(acc, inside)` (the mean over the
 * `inside` cells, KH·KW with COUNT_PAD); needs the window and the uniforms
 * `params.init` and `params.empty`.
 */
export const poolAccumulate = fragment('pool_accumulate.wgsl', poolAccumulateWgsl, {
  provides: ['IS_MAX', 'COUNT_PAD', 'nanLanes', 'accumulate4', 'finish4', 'poolWindow'],
  needs: ['KH', 'KW', 'SH', 'SW', 'DH', 'DW', 'windowRow', 'OUTSIDE_ROW', 'poolLoad'],
});
