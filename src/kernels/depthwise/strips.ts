// What the strip kernels (strip3x3.ts, strip5x5.ts) share: an invocation walks a
// strip of `stripRows` output rows, so each input row segment is loaded once for
// every output row it feeds. The strip height is their tunable.

import type { DepthwiseConv2dParams } from '../../backend.js';
import type { Band } from '../bands.js';
import type { AdapterTraits, Call, Tunable } from '../descriptor.js';

/**
 * Output rows per invocation. More rows load each input row segment once for more
 * outputs (3×3 stride 1: 4.9 vec4 loads per output at 1 row, 1.4 at 16) but leave
 * fewer invocations. On software adapters a few hundred invocations keep every
 * core busy and loads dominate: 16 rows run the stride-1 MobileNet layers 2.4–4.3×
 * faster than 1 row, the 5×5 layer 3.5× (bench/results/variants.md). GPUs need tens
 * of thousands of invocations in flight, so there the strip is as tall as keeps at
 * least 16384 (a rule of thumb until tuning measures it: engine.tune()).
 */
export function stripRows(cols: (p: DepthwiseConv2dParams) => number): Tunable<DepthwiseConv2dParams> {
  const choose = ({ params: p }: Call<DepthwiseConv2dParams>, t: AdapterTraits): number => {
    if (t.cpuBased) return 16;
    const colGroups = Math.ceil(p.outW / cols(p));
    const invocations = (rows: number) => p.batch * Math.ceil(p.outH / rows) * colGroups * ((p.channels * p.multiplier) / 4);
    let rows = 8;
    while (rows > 1 && invocations(rows) < 16384) rows /= 2;
    return rows;
  };
  return {
    what: 'output rows per invocation',
    legal: { text: 'an integer from 1 to 64', test: (v) => Number.isInteger(v) && v >= 1 && v <= 64 },
    // One row (no reuse), and an odd height whose strips end inside images.
    edgeValues: [1, 3],
    choose,
    candidates(c, t) {
      const first = choose(c, t);
      // Powers of two up to the first that covers the whole output height, nearest the cost model's first.
      const values = [1, 2, 4, 8, 16, 32].filter((v) => v === 1 || v / 2 < c.params.outH);
      return [first, ...values.filter((v) => v !== first).sort((a, b) => Math.abs(Math.log2(a / first)) - Math.abs(Math.log2(b / first)))];
    },
  };
}

/** Invocations of a strip kernel for one band: strips never straddle two images, and a band covers the strips its first and last rows are in (the shader skips rows outside the band). */
export function stripInvocations(p: DepthwiseConv2dParams, rows: number, cols: number, b: Band): number {
  const stripOf = (r: number) => Math.floor(r / p.outH) * Math.ceil(p.outH / rows) + Math.floor((r % p.outH) / rows);
  const strips = stripOf(b.row1 - 1) + 1 - stripOf(b.row0);
  return strips * Math.ceil(p.outW / cols) * ((p.channels * p.multiplier) / 4);
}

/** 3×3 or 5×5 kernel, dilation 1, C·M divisible by 4, strides up to `maxStride`. */
export function stripShape(p: DepthwiseConv2dParams, k: number, maxStride: number): boolean {
  return (
    (p.channels * p.multiplier) % 4 === 0 &&
    p.kH === k &&
    p.kW === k &&
    p.dilationH === 1 &&
    p.dilationW === 1 &&
    p.strideH <= maxStride &&
    p.strideW <= maxStride
  );
}
