import type { Activation } from '../activation.js';

// Written from the definitions, not from the WGSL. NaN passes through every
// activation unchanged (a comparison with NaN is false, so no branch clamps it).
export function cpuActivation(a: Activation): (v: number) => number {
  switch (a) {
    case 'linear':
      return (v) => v;
    case 'relu':
      return (v) => (v < 0 ? 0 : v);
    case 'relu6':
      return (v) => (v < 0 ? 0 : v > 6 ? 6 : v);
  }
}
