// The kernel registry: every op's variants in preference order. Everything that
// lists variants is derived from here: the public `KernelChoice` type and the
// check of `createEngine({ kernels })`, the choice itself (forced, tuned, or the
// cost model's), the tuner's search space, the fuzz tests' forced-variant
// tables and `npm run bench:variants`. Adding a variant: its descriptor, its
// .wgsl, one line here.

import type { Conv2dParams, DepthwiseConv2dParams, PointwiseConv2dParams, Pool2dParams, SeparableConv2dParams } from '../backend.js';
import { SepconvError, describe } from '../errors.js';
import { hashText } from '../gpu/pipelines.js';
import type { BinaryParams } from '../backend.js';
import { binaryScalar } from './binary/scalar.js';
import { binaryVec4 } from './binary/vec4.js';
import { conv2dDirect, conv2dDirect8 } from './conv2d/direct.js';
import { conv2dTiled } from './conv2d/tiled.js';
import { depthwiseScalar } from './depthwise/scalar.js';
import { depthwise3x3 } from './depthwise/strip3x3.js';
import { depthwise5x5 } from './depthwise/strip5x5.js';
import { depthwiseVec4 } from './depthwise/vec4.js';
import type { AdapterTraits, Call, TunableValues, Variant } from './descriptor.js';
import { pointwiseConv8 } from './pointwise/conv8.js';
import { pointwiseDirect, pointwiseDirect8 } from './pointwise/direct.js';
import { pointwiseScalar } from './pointwise/scalar.js';
import { pointwiseTiled } from './pointwise/tiled.js';
import { poolScalar } from './pool/scalar.js';
import { poolVec4 } from './pool/vec4.js';
import { separableFused } from './separable/fused.js';
import { separableUnfused } from './separable/unfused.js';

export const REGISTRY = {
  depthwise: [depthwise3x3, depthwise5x5, depthwiseVec4, depthwiseScalar],
  pointwise: [pointwiseDirect8, pointwiseDirect, pointwiseTiled, pointwiseConv8, pointwiseScalar],
  conv2d: [conv2dDirect8, conv2dDirect, conv2dTiled],
  separable: [separableFused, separableUnfused],
  binary: [binaryVec4, binaryScalar],
  pool: [poolVec4, poolScalar],
} as const;

/** The ops whose kernel sepconv chooses among variants. */
export type ChoosableOp = keyof typeof REGISTRY;

/** The parameters of each choosable op. */
export interface OpParams {
  depthwise: DepthwiseConv2dParams;
  pointwise: PointwiseConv2dParams;
  conv2d: Conv2dParams;
  separable: SeparableConv2dParams;
  binary: BinaryParams;
  pool: Pool2dParams;
}

/** The public name of each op, as errors and labels say it. */
export const OP_NAMES: Readonly<Record<ChoosableOp, string>> = {
  depthwise: 'depthwiseConv2d',
  pointwise: 'pointwiseConv2d',
  conv2d: 'conv2d',
  separable: 'separableConv2d',
  binary: 'binary',
  pool: 'pool2d',
};

export const CHOOSABLE_OPS = Object.keys(REGISTRY) as ChoosableOp[];

type VariantOf<O extends ChoosableOp> = (typeof REGISTRY)[O][number];
export type VariantName<O extends ChoosableOp> = VariantOf<O>['name'];
type TunableName<O extends ChoosableOp> = VariantOf<O> extends infer V ? (V extends { tunables: infer T } ? keyof T & string : never) : never;
type TunableOption = { [O in ChoosableOp]: `${O}${Capitalize<TunableName<O>>}` }[ChoosableOp];

/**
 * Kernel variants (and tunable values) to use instead of sepconv's choice, for
 * tests, benchmarks and experiments, e.g. `{ depthwise: 'vec4' }` or
 * `{ depthwiseStripRows: 4 }`. A forced variant that cannot run a given shape
 * falls back to the choice for that shape; forced choices win over tuning records.
 * The variants of each op are listed in README ("Kernels").
 */
export type KernelChoice = { [O in ChoosableOp]?: 'auto' | VariantName<O> } & { [K in TunableOption]?: number };

/** Every variant of an op, as the base type. */
export function variantsOf<O extends ChoosableOp>(op: O): readonly Variant<OpParams[O]>[] {
  return REGISTRY[op] as unknown as readonly Variant<OpParams[O]>[];
}

/** The option that forces tunable `name` of `op`'s variants: depthwise + stripRows → depthwiseStripRows. */
export function tunableOption(op: ChoosableOp, name: string): string {
  return `${op}${name[0]?.toUpperCase()}${name.slice(1)}`;
}

/** Every tunable option: its op, tunable name, and the variants that have it. */
function tunableOptions(): Map<string, { op: ChoosableOp; name: string; variants: Variant<unknown>[] }> {
  const out = new Map<string, { op: ChoosableOp; name: string; variants: Variant<unknown>[] }>();
  for (const op of CHOOSABLE_OPS) {
    for (const v of variantsOf(op) as readonly Variant<unknown>[]) {
      for (const name of Object.keys(v.tunables)) {
        const key = tunableOption(op, name);
        const entry = out.get(key) ?? { op, name, variants: [] };
        entry.variants.push(v);
        out.set(key, entry);
      }
    }
  }
  return out;
}

/** Checks a `kernels` option against the registry; throws INVALID_ARGUMENT naming the key. */
export function checkKernelChoice(op: string, k: unknown): asserts k is KernelChoice {
  if (k === null || typeof k !== 'object' || Array.isArray(k)) throw invalid(op, 'options.kernels', 'an object', describe(k));
  const tunables = tunableOptions();
  for (const [key, value] of Object.entries(k)) {
    if (value === undefined) continue;
    const arg = `options.kernels.${key}`;
    if (key in REGISTRY) {
      const allowed = ['auto', ...variantsOf(key as ChoosableOp).map((v) => v.name)];
      if (!allowed.includes(value as string)) throw invalid(op, arg, allowed.map((a) => `'${a}'`).join(', '), describe(value));
      continue;
    }
    const t = tunables.get(key);
    if (!t) throw invalid(op, arg, `one of the keys ${[...CHOOSABLE_OPS, ...tunables.keys()].join(', ')}`, 'an unknown key');
    const legal = (t.variants[0] as Variant<unknown>).tunables[t.name as never] as { legal: { text: string; test: (v: number) => boolean } };
    if (typeof value !== 'number' || !legal.legal.test(value)) throw invalid(op, arg, legal.legal.text, describe(value));
  }
}

function invalid(op: string, arg: string, expected: string, given: string): SepconvError {
  return new SepconvError('INVALID_ARGUMENT', { op, arg, expected, given });
}

/** A variant with its tunable values: one way to run a call. */
export interface Candidate<P = unknown> {
  variant: Variant<P>;
  tunables: TunableValues;
}

/** Why a variant was chosen: forced by the `kernels` option, a tuning record, or the cost model. */
export type ChoiceReason = 'forced' | 'tuned' | 'auto';

/** A tuned choice for one call key. */
export interface TunedChoice {
  variant: string;
  tunables: TunableValues;
}

/** The variants that can run a call, the cost model's preference first (rank, then registry order). */
export function supportedVariants<O extends ChoosableOp>(op: O, c: Call<OpParams[O]>, t: AdapterTraits): Variant<OpParams[O]>[] {
  const all = variantsOf(op).filter((v) => v.supports(c, t));
  return all
    .map((v, i) => ({ v, i, r: v.rank?.(c, t) ?? 0 }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((e) => e.v);
}

/**
 * Picks the variant and tunables for a call: a forced variant (when it can run the
 * call) wins, then a tuned one, then the cost model's first; each tunable is the
 * forced value, else the tuned one (for the tuned variant), else the cost model's.
 */
export function chooseKernel<O extends ChoosableOp>(
  op: O,
  c: Call<OpParams[O]>,
  t: AdapterTraits,
  forced: KernelChoice,
  tuned: TunedChoice | undefined,
): Candidate<OpParams[O]> & { by: ChoiceReason } {
  const supported = supportedVariants(op, c, t);
  const want = supported.find((v) => v.name === forced[op]);
  const fromRecord = supported.find((v) => v.name === tuned?.variant);
  const variant = want ?? fromRecord ?? (supported[0] as Variant<OpParams[O]>);
  const fromTuning = tuned?.variant === variant.name ? tuned.tunables : {};
  return { variant, tunables: tunableValues(op, variant, c, t, forced, fromTuning), by: want ? 'forced' : fromRecord ? 'tuned' : 'auto' };
}

function tunableValues<P>(op: ChoosableOp, v: Variant<P>, c: Call<P>, t: AdapterTraits, forced: KernelChoice, tuned: TunableValues): TunableValues {
  const out: Record<string, number> = {};
  for (const [name, spec] of Object.entries(v.tunables) as [string, { choose: (c: Call<P>, t: AdapterTraits) => number }][]) {
    out[name] = (forced as Record<string, number | undefined>)[tunableOption(op, name)] ?? tuned[name] ?? spec.choose(c, t);
  }
  return out;
}

/**
 * The tuner's search space for a call, best guesses first: every variant that can
 * run it (only the forced one, if forced) with its cost-model tunables, then the
 * other tunable values round-robin across variants. Forced tunables stay fixed.
 */
export function tuningCandidates<O extends ChoosableOp>(op: O, c: Call<OpParams[O]>, t: AdapterTraits, forced: KernelChoice): Candidate<OpParams[O]>[] {
  const supported = supportedVariants(op, c, t);
  const want = supported.find((v) => v.name === forced[op]);
  const perVariant = (want ? [want] : supported).map((v) => {
    const names = Object.keys(v.tunables);
    const values = names.map((name) => {
      const f = (forced as Record<string, number | undefined>)[tunableOption(op, name)];
      const spec = (v.tunables as Record<string, { candidates: (c: Call<OpParams[O]>, t: AdapterTraits) => number[] }>)[name];
      return f !== undefined ? [f] : (spec as { candidates: (c: Call<OpParams[O]>, t: AdapterTraits) => number[] }).candidates(c, t);
    });
    // Cartesian product in order of the summed candidate indices (the cost model's values first).
    let combos: { tunables: Record<string, number>; order: number }[] = [{ tunables: {}, order: 0 }];
    names.forEach((name, i) => {
      combos = combos.flatMap((combo) => (values[i] as number[]).map((value, j) => ({ tunables: { ...combo.tunables, [name]: value }, order: combo.order + j })));
    });
    return combos.sort((a, b) => a.order - b.order).map((combo) => ({ variant: v, tunables: combo.tunables }));
  });
  const out: Candidate<OpParams[O]>[] = [];
  for (let i = 0; perVariant.some((l) => i < l.length); i++) for (const list of perVariant) if (i < list.length) out.push(list[i] as Candidate<OpParams[O]>);
  return out;
}

/** The variant of `op` named `name`, or undefined. */
export function findVariant(op: ChoosableOp, name: string): Variant<unknown> | undefined {
  return (variantsOf(op) as readonly Variant<unknown>[]).find((v) => v.name === name);
}

/**
 * A fingerprint of every kernel: names, tunables and shader sources. Tuning records
 * carry it; records made with other kernels are stale and ignored.
 */
export const KERNELS_FINGERPRINT = hashText(
  CHOOSABLE_OPS.flatMap((op) =>
    (variantsOf(op) as readonly Variant<unknown>[]).map(
      (v) => `${op}/${v.name}(${Object.keys(v.tunables).join(',')}):${v.kind === 'kernel' ? v.shaders.map((s) => s.hash).join('+') : 'composite'}`,
    ),
  ).join('\n'),
);

/** Elements of an op's output. */
export function outputElements<O extends ChoosableOp>(op: O, p: OpParams[O]): number {
  switch (op) {
    case 'pointwise': {
      const q = p as PointwiseConv2dParams;
      return q.pixels * q.outChannels;
    }
    case 'binary':
      return (p as BinaryParams).outShape.reduce((a, b) => a * b, 1);
    case 'depthwise': {
      const q = p as DepthwiseConv2dParams;
      return q.batch * q.outH * q.outW * q.channels * q.multiplier;
    }
    case 'pool': {
      const q = p as Pool2dParams;
      return q.batch * q.outH * q.outW * q.channels;
    }
    default: {
      const q = p as Conv2dParams | SeparableConv2dParams;
      return q.batch * q.outH * q.outW * q.outChannels;
    }
  }
}

/**
 * The `kernels` option that forces one measured candidate of a tuning record
 * everywhere, e.g. `createEngine({ kernels: kernelChoiceFor(r.key, r) })` pins a
 * record's winner for every call of its op.
 */
export function kernelChoiceFor(key: string, candidate: { variant: string; tunables: Readonly<Record<string, number>> }): KernelChoice {
  const op = key.split(' ', 1)[0] as ChoosableOp;
  if (!findVariant(op, candidate.variant)) {
    throw new SepconvError('INVALID_ARGUMENT', { op: 'kernelChoiceFor', arg: 'candidate.variant', expected: `a variant of ${op}`, given: describe(candidate.variant) });
  }
  const choice: Record<string, string | number> = { [op]: candidate.variant };
  for (const [name, value] of Object.entries(candidate.tunables)) choice[tunableOption(op, name)] = value;
  return choice as KernelChoice;
}
