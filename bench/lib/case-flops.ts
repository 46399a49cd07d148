// The FLOPs of a single-op case, from the library's countFlops: the one piece of a
// case's arithmetic that needs the package's code (cases.ts has the rest).

import { countFlops, type ConvSpec } from 'sepconv';
import type { BenchCase } from './types.js';

function spec(c: BenchCase): ConvSpec {
  const [, h, w, cin] = c.input;
  const common = { inChannels: cin, inputSize: [h, w] as [number, number], stride: c.stride ?? 1, padding: c.padding ?? 'same' };
  switch (c.op) {
    case 'depthwise':
      return { op: 'depthwise', kernelSize: c.kernel!, depthMultiplier: c.multiplier ?? 1, ...common };
    case 'pointwise':
      return { op: 'pointwise', outChannels: c.outChannels!, ...common, padding: 'valid' };
    case 'separable':
      return { op: 'separable', kernelSize: c.kernel!, depthMultiplier: c.multiplier ?? 1, outChannels: c.outChannels!, ...common };
    case 'conv2d':
      return { op: 'conv2d', kernelSize: c.kernel!, outChannels: c.outChannels!, ...common };
    case 'network':
      throw new Error(`bench: case ${c.id} is a network: its FLOPs and bytes come from the built model (loadCase in bench/lib/networks.ts)`);
  }
}

/** Floating-point operations of one run (2 per multiply-add), from the library's countFlops. */
export function caseFlops(c: BenchCase): number {
  return c.input[0] * countFlops(spec(c));
}
