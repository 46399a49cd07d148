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
 */
export type Activation = 'linear' | 'relu' | 'relu6' | 'leakyRelu' | 'sigmoid' | 'tanh' | 'hardSwish' | 'elu';

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
];

/** An activation with its parameter resolved. */
export interface ActivationSpec {
  activation: Activation;
  /** Slope for leakyRelu, scale for elu; unused by the others. */
  alpha: number;
}

const DEFAULT_ALPHA: Partial<Record<Activation, number>> = { leakyRelu: 0.2, elu: 1 };

/** The id of an activation as the shaders know it. */
export function activationId(a: Activation): number {
  return ACTIVATIONS.indexOf(a);
}

/** Validates `activation` and `alpha` options of an op. */
export function resolveActivation(op: string, activation: unknown, alpha: unknown): ActivationSpec {
  const a = activation === undefined ? 'linear' : activation;
  if (!ACTIVATIONS.includes(a as Activation)) {
    throw new SepconvError('INVALID_ARGUMENT', {
      op,
      arg: 'options.activation',
      expected: `one of ${ACTIVATIONS.map((x) => `'${x}'`).join(', ')}`,
      given: describe(a),
    });
  }
  if (alpha !== undefined && !(typeof alpha === 'number' && Number.isFinite(alpha))) {
    throw new SepconvError('INVALID_ARGUMENT', { op, arg: 'options.alpha', expected: 'a finite number', given: describe(alpha) });
  }
  return { activation: a as Activation, alpha: (alpha as number | undefined) ?? DEFAULT_ALPHA[a as Activation] ?? 0 };
}
