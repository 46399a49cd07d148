// The two ways a layers model file fails to load, as SepconvErrors whose
// message says what and where (the layer, the weight, the shard).

import { SepconvError } from '../../errors.js';

/** The public operation every Keras loading error is reported under. */
export const OP = 'loadLayersModel';

/**
 * BAD_MODEL: the file is malformed, truncated, its weights do not match its
 * topology, or a shape cannot be resolved. `where` names the place (a layer,
 * a weight, a shard), `what` says what is wrong there.
 */
export function badModel(where: string, what: string, expected?: string, given?: string): SepconvError {
  return new SepconvError(
    'BAD_MODEL',
    { op: OP, arg: where, expected: expected ?? what, given: given ?? 'a model where it does not hold' },
    `sepconv.${OP}: ${where}: ${what}`,
  );
}

/** UNSUPPORTED_OP: a layer (or an option of one) sepconv does not run. */
export function unsupported(where: string, what: string, supported: readonly string[]): SepconvError {
  return new SepconvError(
    'UNSUPPORTED_OP',
    { op: OP, arg: where, expected: `one of ${supported.join(', ')}`, given: what },
    `sepconv.${OP}: ${where}: ${what}; sepconv supports: ${supported.join(', ')}`,
  );
}
