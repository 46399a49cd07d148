// Tuning records: what engine.tune() measured, as plain JSON, and the checks a
// record list passes before an engine uses it. A list is checked whole before
// anything is applied: malformed records are an error, records made on another
// adapter or with other kernels are dropped with a warning.

import { SepconvError, describe } from '../errors.js';
import type { AdapterDescription } from '../gpu/device.js';
import { CHOOSABLE_OPS, findVariant, KERNELS_FINGERPRINT, type ChoosableOp, type TunedChoice } from '../kernels/registry.js';
import { keyOp } from './key.js';

/** One measured candidate of a tuned call. */
export interface TuningCandidate {
  variant: string;
  tunables: Record<string, number>;
  /** Median milliseconds per run. */
  ms: number;
}

/** The winner of one tuned call (op, shape, options) on one adapter, with everything measured. */
export interface TuningRecord extends TuningCandidate {
  /** The call: op, every parameter, bound optional inputs (e.g. `depthwise batch=1 … +bias`). */
  key: string;
  /** The adapter it was measured on (`vendor / architecture / description`). */
  adapter: string;
  /** The kernels it was measured with (`sepconv-kernels/<fingerprint>`). */
  version: string;
  candidates: TuningCandidate[];
}

/** The kernels' version that records carry. */
export const TUNING_VERSION = `sepconv-kernels/${KERNELS_FINGERPRINT}`;

/** How records name an adapter. */
export function adapterName(a: AdapterDescription): string {
  return [a.vendor, a.architecture, a.description].map((s) => s || '?').join(' / ');
}

const OP = 'createEngine';
const ARG = 'options.tuning';

function bad(arg: string, expected: string, given: unknown): SepconvError {
  return new SepconvError('INVALID_ARGUMENT', { op: OP, arg, expected, given: describe(given) });
}

function checkCandidate(arg: string, c: unknown, op: ChoosableOp): TuningCandidate {
  if (c === null || typeof c !== 'object' || Array.isArray(c)) throw bad(arg, 'an object { variant, tunables, ms }', c);
  const { variant, tunables, ms } = c as Record<string, unknown>;
  const v = typeof variant === 'string' ? findVariant(op, variant) : undefined;
  if (!v) throw bad(`${arg}.variant`, `a ${op} variant of this sepconv`, variant);
  if (tunables === null || typeof tunables !== 'object' || Array.isArray(tunables)) throw bad(`${arg}.tunables`, 'an object of numbers', tunables);
  for (const [name, value] of Object.entries(tunables as Record<string, unknown>)) {
    const spec = (v.tunables as Record<string, { legal: { text: string; test: (x: number) => boolean } } | undefined>)[name];
    if (!spec) throw bad(`${arg}.tunables.${name}`, `a tunable of ${op} '${v.name}' (${Object.keys(v.tunables).join(', ') || 'it has none'})`, name);
    if (typeof value !== 'number' || !spec.legal.test(value)) throw bad(`${arg}.tunables.${name}`, spec.legal.text, value);
  }
  if (typeof ms !== 'number' || !(ms >= 0)) throw bad(`${arg}.ms`, 'a non-negative number of milliseconds', ms);
  return { variant: v.name, tunables: { ...(tunables as Record<string, number>) }, ms };
}

/** Checks a `tuning` option; throws INVALID_ARGUMENT at the first malformed field. Returns deep copies. */
export function checkTuningRecords(records: unknown): TuningRecord[] {
  if (!Array.isArray(records)) throw bad(ARG, 'an array of tuning records (from engine.tuning())', records);
  return records.map((r: unknown, i) => {
    const arg = `${ARG}[${i}]`;
    if (r === null || typeof r !== 'object' || Array.isArray(r)) throw bad(arg, 'a tuning record object', r);
    const { key, adapter, version, candidates } = r as Record<string, unknown>;
    if (typeof key !== 'string' || !CHOOSABLE_OPS.includes(keyOp(key) as ChoosableOp)) {
      throw bad(`${arg}.key`, `a call key starting with one of ${CHOOSABLE_OPS.join(', ')}`, key);
    }
    const op = keyOp(key) as ChoosableOp;
    if (typeof adapter !== 'string') throw bad(`${arg}.adapter`, 'a string', adapter);
    if (typeof version !== 'string') throw bad(`${arg}.version`, 'a string', version);
    const winner = checkCandidate(arg, r, op);
    if (!Array.isArray(candidates)) throw bad(`${arg}.candidates`, 'an array of measured candidates', candidates);
    return { key, adapter, version, ...winner, candidates: candidates.map((c, j) => checkCandidate(`${arg}.candidates[${j}]`, c, op)) };
  });
}

/**
 * The records that apply on `adapter` with these kernels, by key; warns once about
 * the ones dropped (another adapter, another kernel version).
 */
export function applicableRecords(records: readonly TuningRecord[], adapter: string, warn: (message: string) => void): Map<string, TuningRecord> {
  const out = new Map<string, TuningRecord>();
  let otherAdapter = 0;
  let otherVersion = 0;
  for (const r of records) {
    if (r.adapter !== adapter) otherAdapter++;
    else if (r.version !== TUNING_VERSION) otherVersion++;
    else out.set(r.key, r);
  }
  if (otherAdapter) warn(`sepconv: ignored ${otherAdapter} tuning record(s) measured on another adapter (this one is '${adapter}')`);
  if (otherVersion) warn(`sepconv: ignored ${otherVersion} tuning record(s) measured with other kernels (this sepconv's are ${TUNING_VERSION}); tune again`);
  return out;
}

/** The choice a record makes. */
export function tunedChoice(r: TuningRecord | undefined): TunedChoice | undefined {
  return r && { variant: r.variant, tunables: r.tunables };
}
