// What a kernel variant is, as data: one descriptor per variant, in its own
// file under src/kernels/<op>/, listed in its op's registry (registry.ts). The
// GPU backend knows nothing about particular kernels: it asks the registry which
// descriptors support a call, picks one (forced, tuned, or the cost model's
// first), and records what the descriptor plans.

import { activationId, type ActivationSpec } from '../activation.js';
import type { Backend, OpExtras, Storage } from '../backend.js';
import type { AdapterDescription } from '../gpu/device.js';
import type { BindRange, BindingLimits } from './bands.js';
import type { AssembledKernel, InputName } from './wgsl.js';

/** What kernel choices depend on besides the shape. */
export interface AdapterTraits {
  /**
   * A software adapter (SwiftShader, llvmpipe, WARP): "workgroup memory" is ordinary
   * memory and barriers are costly, so kernels without tiles and barriers win.
   */
  cpuBased: boolean;
}

export function adapterTraits(a: AdapterDescription): AdapterTraits {
  const text = `${a.vendor} ${a.architecture} ${a.description}`.toLowerCase();
  return { cpuBased: /swiftshader|llvmpipe|lavapipe|warp|basic render|software/.test(text) };
}

/** One op call as kernels see it: the resolved parameters and which optional inputs are bound (each is baked into the shader). */
export interface Call<P> {
  params: P;
  bias: boolean;
  residual: boolean;
  depthwiseBias: boolean;
}

/** A value a kernel is specialised on that changes speed, not results (strip height, tile width…). */
export interface Tunable<P> {
  /** What it is, for docs and messages. */
  what: string;
  /** The values a user may force, in words, and the test. */
  legal: { text: string; test: (v: number) => boolean };
  /** The cost model's value for a call. */
  choose(c: Call<P>, t: AdapterTraits): number;
  /** The values worth timing for a call (the tuner's search space; the cost model's value first). */
  candidates(c: Call<P>, t: AdapterTraits): number[];
  /** Values the fuzz tests force on every shape: the extremes of the kernel's index arithmetic. */
  edgeValues: readonly number[];
}

/** Tunable values by name. */
export type TunableValues = Readonly<Record<string, number>>;

/** One dispatch of a kernel: its uniform block, workgroup count, and the byte range bound for each banded binding. */
export interface KernelDispatch {
  uniforms: ArrayBuffer;
  /** Total workgroups (the scheduler folds them into a grid). */
  workgroups: number;
  /** Ranges of the bindings bound in part (bands); a binding not named here is bound whole. */
  ranges: Partial<Record<InputName | 'output', BindRange>>;
}

interface VariantBase<P, N extends string, T extends string> {
  readonly name: N;
  /** One line: what the variant does and when it wins. */
  readonly summary: string;
  readonly tunables: Readonly<Record<T, Tunable<P>>>;
  supports(c: Call<P>, t: AdapterTraits): boolean;
  /**
   * The cost model's rank of this variant for a call (lower runs first; ties keep
   * registry order). Default 0.
   */
  rank?(c: Call<P>, t: AdapterTraits): number;
}

/** A variant that is one GPU kernel. */
export interface KernelVariant<P, N extends string = string, T extends string = string> extends VariantBase<P, N, T> {
  readonly kind: 'kernel';
  /** Every shader it may run (most variants have one; some pick an input loader by shape). */
  readonly shaders: readonly AssembledKernel[];
  /** The shader for a call, one of `shaders`. */
  shader(c: Call<P>): AssembledKernel;
  /** Override constants: everything baked into the pipeline besides the source. */
  constants(c: Call<P>, v: TunableValues): Record<string, number>;
  /** The dispatches (one, or several bands when a tensor exceeds one binding). */
  dispatches(c: Call<P>, v: TunableValues, limits: BindingLimits): KernelDispatch[];
}

/** The op's inputs, by name (null: not given; the backend binds a dummy). */
export type OpInputs = Partial<Record<InputName, Storage | null>> & { x: Storage };

/** A variant that runs other ops (the unfused separable conv: depthwise, then pointwise). */
export interface CompositeVariant<P, N extends string = string> extends VariantBase<P, N, never> {
  readonly kind: 'composite';
  run(be: Backend, inputs: OpInputs, c: Call<P>, extras: OpExtras): Storage;
  /** The calls it makes, for the tuner (which tunes them as calls of their own). */
  parts(c: Call<P>): { op: 'depthwise' | 'pointwise'; call: Call<unknown> }[];
}

export type Variant<P, N extends string = string, T extends string = string> = KernelVariant<P, N, T> | CompositeVariant<P, N>;

/** Declares a kernel variant; keeps its name and tunable names as literal types. */
export function kernelVariant<P, const N extends string, T extends string = never>(
  v: Omit<KernelVariant<P, N, T>, 'kind'>,
): KernelVariant<P, N, T> {
  return { kind: 'kernel', ...v };
}

/** Workgroups of a flat-grid kernel (shaders/flat_grid.wgsl) running `invocations` invocations. */
export function flatWorkgroups(invocations: number, workgroupSize = FLAT_WORKGROUP_SIZE): number {
  return Math.ceil(invocations / workgroupSize);
}

/** Invocations per workgroup of the flat-grid kernels (their WG override). */
export const FLAT_WORKGROUP_SIZE = 64;

/** The bias, activation (and residual, for kernels that bind one) constants of a kernel's fused epilogue. */
export function epilogue(c: Call<{ act: ActivationSpec }>, withResidual = false): Record<string, number> {
  return {
    HAS_BIAS: c.bias ? 1 : 0,
    ...(withResidual && { HAS_RESIDUAL: c.residual ? 1 : 0 }),
    ACTIVATION: activationId(c.params.act.activation),
  };
}
