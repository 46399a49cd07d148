// How an ONNX file fails to load: SepconvErrors whose message says what is
// wrong and where (the node, the value, the initializer).

import { SepconvError } from '../../errors.js';

/** The public operation every ONNX loading error is reported under. */
export const OP = 'loadOnnx';

/**
 * BAD_MODEL: the file is truncated or malformed, a tensor does not hold what
 * its dims say, or a shape cannot be resolved. `where` names the place (a node,
 * a value, an initializer), `what` says what is wrong there.
 */
export function badModel(where: string, what: string): SepconvError {
  return new SepconvError('BAD_MODEL', { op: OP, arg: where, expected: 'a well-formed ONNX model', given: what }, `sepconv.${OP}: ${where}: ${what}`);
}

/** UNSUPPORTED_OP: an op (or a form of one) sepconv does not run; the message lists the op types it does. */
export function unsupported(where: string, what: string, supported: readonly string[]): SepconvError {
  return new SepconvError(
    'UNSUPPORTED_OP',
    { op: OP, arg: where, expected: `one of ${supported.join(', ')}`, given: what },
    `sepconv.${OP}: ${where}: ${what}; sepconv runs the ONNX ops ${supported.join(', ')}`,
  );
}
