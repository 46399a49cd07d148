// The activations sepconv fuses into an op's write. The numeric ids are part of
// the GPU pipeline key (shaders/activation.wgsl switches on them); the CPU backend
// implements each one from its definition in src/cpu/activation.ts.

import { SepconvError, describe } from './errors.js';

/**
 * Activation applied to every output element, after bias:
 * - `linear`: x
 * - `relu`: max(x, 0)
 * - `relu6`: min(max(x, 0), 6)
 * - `leakyRelu`: x ≥ 0 ? x : alpha·x (alpha default 0.2, as TF.js)
 * - `sigmoid`: 1 / (1 + e^-x)
 * - `tanh`: tanh(x)
 * - `hardSwish`: x · relu6(x + 3) / 6 (MobileNetV3)
 * - `elu`: x ≥ 0 ? x : alpha·(e^x − 1) (alpha default 1)
 * - `clip`: min(max(x, alpha), beta) (both required, alpha ≤ beta; ONNX Clip)
 * - `hardSigmoid`: max(0, min(1, alpha·x + beta)) (alpha default 0.2, beta 0.5, as ONNX)
 *
 * NaN passes through every activation unchanged.
 */
export type Activation = 'linear' | 'relu' | 'relu6' | 'leakyRelu' | 'sigmoid' | 'tanh' | 'hardSwish' | 'elu' | 'clip' | 'hardSigmoid';

/** All activations, in id order. */
export const ACTIVATIONS: readonly Activation[] = [
  'linear',
  'relu',
  'relu6',
  'leakyRelu',
  'sigmoid',
  'tanh',
  'hardSwish',
  'elu',
  'clip',
  'hardSigmoid',
];

/** An activation with its parameters resolved. */
export interface ActivationSpec {
  activation: Activation;
  /** Slope for leakyRelu, scale for elu, lower bound for clip, slope for hardSigmoid; unused by the others. */
  alpha: number;
  /** Upper bound for clip, offset for hardSigmoid; 0 for the others. */
  beta: number;
}

const DEFAULT_ALPHA: Partial<Record<Activation, number>> = { leakyRelu: 0.2, elu: 1, hardSigmoid: 0.2 };
/** The activations that read beta, with its default (clip has none: both bounds are required). */
const DEFAULT_BETA: Partial<Record<Activation, number | null>> = { clip: null, hardSigmoid: 0.5 };

/** The id of an activation as the shaders know it. */
export function activationId(a: Activation): number {
  return ACTIVATIONS.indexOf(a);
}

/** Validates the `activation`, `alpha` and `beta` options of an op. */
export function resolveActivation(op: string, activation: unknown, alpha: unknown, beta?: unknown): ActivationSpec {
  const a = activation === undefined ? 'linear' : activation;
  if (!ACTIVATIONS.includes(a as Activation)) {
    throw new SepconvError('INVALID_ARGUMENT', {
      op,
      arg: 'options.activation',
      expected: `one of ${ACTIVATIONS.map((x) => `'${x}'`).join(', ')}`,
      given: describe(a),
    });
  }
  const act = a as Activation;
  const finite = (arg: string, v: unknown) => {
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v))) {
      throw new SepconvError('INVALID_ARGUMENT', { op, arg, expected: 'a finite number', given: describe(v) });
    }
  };
  finite('options.alpha', alpha);
  finite('options.beta', beta);
  if (act === 'clip') {
    // No default bounds: a clip without one of them is almost certainly a mistake.
    for (const [arg, v] of [['options.alpha', alpha], ['options.beta', beta]] as const) {
      if (v === undefined) throw new SepconvError('INVALID_ARGUMENT', { op, arg, expected: `a number (clip's ${arg === 'options.alpha' ? 'lower' : 'upper'} bound)`, given: 'undefined' });
    }
    if ((alpha as number) > (beta as number)) {
      throw new SepconvError('INVALID_ARGUMENT', { op, arg: 'options.beta', expected: `clip's upper bound ≥ options.alpha (${alpha as number})`, given: describe(beta) });
    }
  }
  return {
    activation: act,
    alpha: (alpha as number | undefined) ?? DEFAULT_ALPHA[act] ?? 0,
    // Resolved to 0 where unused, so it never distinguishes two calls that compute the same thing.
    beta: act in DEFAULT_BETA ? ((beta as number | undefined) ?? (DEFAULT_BETA[act] as number)) : 0,
  };
}
