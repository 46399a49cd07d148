// What the tiled-GEMM kernels share (shaders/gemm_tiled.wgsl: pointwise/tiled.ts,
// conv2d/tiled.ts, separable/fused.ts): the uniform fields the core reads, the
// tile shape and its tunable, the bindings, and the workgroup count. They differ
// only in their A loader.

import type { ActivationSpec } from '../activation.js';
import type { UniformSchema, UniformType } from '../gpu/uniforms.js';
import type { Band } from './bands.js';
import { epilogue, type AdapterTraits, type Call, type Tunable } from './descriptor.js';
import { ACTIVATION_FIELDS, activation, gemmTiled } from './fragments.js';
import { assembleKernel, ioBindings, type AssembledKernel, type Fragment, type InputName } from './wgsl.js';

/** Fields the GEMM core reads; every tiled kernel's schema starts with them. */
export const GEMM_FIELDS = [
  ['M', 'u32'],
  ['K', 'u32'],
  ['N', 'u32'],
  ['groups', 'u32'],
  ['outC', 'u32'],
  ...ACTIVATION_FIELDS,
  ['rowStart', 'u32'],
  ['xOrigin', 'u32'],
  ['yOrigin', 'u32'],
] as const satisfies readonly (readonly [string, UniformType])[];

/** The GEMM fields of one band: `rowsPerBandRow` GEMM rows per band row (outW for convolutions, 1 for pointwise). */
export function gemmBandFields(b: Band, rowsPerBandRow: number) {
  return { rowStart: b.row0 * rowsPerBandRow, xOrigin: b.xOrigin, yOrigin: b.yOrigin };
}

/**
 * The tiled kernel with an A loader (and the fragments it uses); the loader may
 * read the depthwise filter and bias too (all arrays of f32). `args` renames inputs in errors.
 */
export function tiledShader(
  name: string,
  uniforms: UniformSchema<string>,
  loader: readonly Fragment[],
  depthwiseInputs = false,
  args: Partial<Record<InputName, string>> = {},
): AssembledKernel {
  const dw = depthwiseInputs ? ({ depthwiseFilter: 'f32', depthwiseBias: 'f32' } as const) : {};
  const bindings = ioBindings({ x: 'f32', filter: 'f32', bias: 'f32', ...dw, residual: 'f32', output: 'f32' }, args);
  return assembleKernel({ name, uniforms, bindings, fragments: [activation, ...loader, gemmTiled] });
}

const pow2 = (v: number) => 2 ** Math.ceil(Math.log2(Math.max(v, 1)));

/**
 * Tile shape for an M×K·K×N problem with tiles `tileN` wide. 64 invocations of 4×4
 * outputs each, so TILE_M·TILE_N = 1024: wide tiles for wide outputs, tall thin
 * ones for few output channels (N = 4 → 256×4), so narrow layers do not compute
 * 87% padding. TILE_K follows K up to 16 and keeps the staged tiles within 8 KiB
 * of workgroup memory (half the 16 KiB default).
 */
export function gemmTile(k: number, tileN: number): { TILE_M: number; TILE_N: number; TILE_K: number } {
  const TILE_M = 1024 / tileN;
  return { TILE_M, TILE_N: tileN, TILE_K: Math.min(16, Math.max(4, pow2(k)), 2048 / TILE_M) };
}

/** The tile width: `tileN` output columns per workgroup. */
export function tileWidth<P>(n: (p: P) => number): Tunable<P> {
  const choose = (c: Call<P>) => Math.min(32, Math.max(4, pow2(n(c.params))));
  return {
    what: 'output columns per workgroup tile (TILE_M = 1024 / TILE_N rows)',
    legal: { text: 'a power of two from 4 to 64', test: (v) => [4, 8, 16, 32, 64].includes(v) },
    // The tallest tile (256 rows, TILE_K 8) and the widest (16 rows).
    edgeValues: [4, 64],
    choose,
    candidates(c: Call<P>, _t: AdapterTraits) {
      const first = choose(c);
      const widest = Math.min(64, Math.max(4, pow2(n(c.params))));
      const values = [4, 8, 16, 32, 64].filter((v) => v <= widest && v !== first);
      return [first, ...values.sort((a, b) => Math.abs(Math.log2(a / first)) - Math.abs(Math.log2(b / first)))];
    },
  };
}

/** Override constants of a tiled kernel: the tile and the epilogue. */
export function tiledConstants(c: Call<{ act: ActivationSpec }>, k: number, tileN: number): Record<string, number> {
  return { ...gemmTile(k, tileN), ...epilogue(c, true) };
}

/** Workgroups of one band: one per tile of each group's M×N output. */
export function tiledWorkgroups(m: number, k: number, n: number, groups: number, tileN: number): number {
  const t = gemmTile(k, tileN);
  return Math.ceil(m / t.TILE_M) * Math.ceil(n / t.TILE_N) * groups;
}
