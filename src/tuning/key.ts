// The key of an op call for tuning: the op, every parameter and which optional
// inputs are bound: everything that can change which kernel is fastest. Two
// calls with the same key run the same kernels on the same sizes.

import type { Call } from '../kernels/descriptor.js';
import type { ChoosableOp } from '../kernels/registry.js';

/** `pointwise pixels=3136 inChannels=24 outChannels=144 act=relu6/0 +bias`: flat, sorted, readable. */
export function callKey(op: ChoosableOp, c: Call<object>): string {
  const fields: string[] = [];
  const walk = (prefix: string, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      // A nested object of numbers reads as one field: pad=1/1/1/1 (bottom/left/right/top, sorted).
      if (prefix && entries.every(([, x]) => typeof x !== 'object')) {
        fields.push(`${prefix}=${entries.map(([, x]) => String(x)).join('/')}`);
        return;
      }
      for (const [k, x] of entries) walk(prefix ? `${prefix}.${k}` : k, x);
    } else {
      fields.push(`${prefix}=${Array.isArray(v) ? v.join('/') : String(v)}`);
    }
  };
  walk('', c.params);
  const flags = [c.bias && '+bias', c.residual && '+residual', c.depthwiseBias && '+depthwiseBias'].filter(Boolean);
  return [op, ...fields, ...flags].join(' ');
}

/** The op of a key (its first word). */
export function keyOp(key: string): string {
  return key.split(' ', 1)[0] as string;
}
