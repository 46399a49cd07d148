/**
 * Machine-readable reason for a {@link SepconvError}.
 *
 * Thrown at the call, before any work is queued:
 * - `INVALID_ARGUMENT`: a value has the wrong type, rank, size or range.
 * - `SHAPE_MISMATCH`: two arguments disagree (channels, bias length, data length, groups).
 * - `EMPTY_OUTPUT`: the kernel does not fit in the padded input.
 * - `TOO_LARGE`: a tensor exceeds 2^32 bytes, the device's largest buffer, or a size
 *   the op cannot split into bindings the device allows.
 * - `DISPOSED`: a tensor was used after `dispose()`.
 * - `WRONG_ENGINE`: a tensor from another engine (or from before `engine.recover()`) was passed.
 * - `ENGINE_DESTROYED`: the engine was used after `destroy()`.
 * - `DEVICE_LOST`: the GPU device was lost; also rejects pending `read()`s. `engine.recover()` makes a new one.
 * - `BACKEND_UNAVAILABLE`: the requested backend cannot be created here.
 * - `UNSUPPORTED_OP`: a model file uses an op or layer sepconv does not run (the message lists what it runs).
 * - `BAD_MODEL`: a model file is truncated or malformed, its weights do not match its topology, or a
 *   shape cannot be resolved; the message says what and where.
 *
 * Reported by the GPU, so they reject `read()` (the op was queued):
 * - `GPU_VALIDATION`: the GPU rejected a command (a sepconv bug, or a device limit).
 * - `GPU_OUT_OF_MEMORY`: the GPU ran out of memory; sepconv trimmed its pools, retrying may work.
 * - `SHADER_COMPILE`: a kernel failed to compile on this device.
 */
export type SepconvErrorCode =
  | 'INVALID_ARGUMENT'
  | 'SHAPE_MISMATCH'
  | 'EMPTY_OUTPUT'
  | 'TOO_LARGE'
  | 'DISPOSED'
  | 'WRONG_ENGINE'
  | 'ENGINE_DESTROYED'
  | 'DEVICE_LOST'
  | 'BACKEND_UNAVAILABLE'
  | 'UNSUPPORTED_OP'
  | 'BAD_MODEL'
  | 'GPU_VALIDATION'
  | 'GPU_OUT_OF_MEMORY'
  | 'SHADER_COMPILE';

/** Details carried by every {@link SepconvError}. */
export interface SepconvErrorDetails {
  /** The public operation that failed, e.g. `depthwiseConv2d`. */
  op: string;
  /** The argument at fault, e.g. `filter` or `options.stride`, when there is one. */
  arg?: string;
  /** What was expected, in words. */
  expected?: string;
  /** What was given, in words. */
  given?: string;
  /** The underlying error, for GPU and backend failures. */
  cause?: unknown;
}

/**
 * The one error type sepconv throws. Its message names the op, the argument,
 * what was expected and what was given; the same facts are fields.
 */
export class SepconvError extends Error {
  readonly code: SepconvErrorCode;
  readonly op: string;
  readonly arg: string | undefined;
  readonly expected: string | undefined;
  readonly given: string | undefined;

  constructor(code: SepconvErrorCode, details: SepconvErrorDetails, message?: string) {
    super(message ?? formatMessage(details), details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'SepconvError';
    this.code = code;
    this.op = details.op;
    this.arg = details.arg;
    this.expected = details.expected;
    this.given = details.given;
  }
}

function formatMessage(d: SepconvErrorDetails): string {
  let msg = `sepconv.${d.op}`;
  if (d.arg !== undefined) msg += `: argument '${d.arg}'`;
  if (d.expected !== undefined) msg += `: expected ${d.expected}`;
  if (d.given !== undefined) msg += `, got ${d.given}`;
  return msg;
}

/** Short human description of a value for error messages. */
export function describe(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]`;
  if (typeof value === 'string') return `'${value}'`;
  if (value === null) return 'null';
  if (typeof value === 'object') return value.constructor?.name ?? 'object';
  return String(value);
}
