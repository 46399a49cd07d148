import type { ActivationSpec } from '../activation.js';

// Written from the definitions, not from the WGSL. NaN passes through every
// activation unchanged (comparisons with NaN are false, so no branch clamps it).
export function cpuActivation({ activation, alpha }: ActivationSpec): (v: number) => number {
  const relu6 = (v: number) => (v < 0 ? 0 : v > 6 ? 6 : v);
  switch (activation) {
    case 'linear':
      return (v) => v;
    case 'relu':
      return (v) => (v < 0 ? 0 : v);
    case 'relu6':
      return relu6;
    case 'leakyRelu':
      return (v) => (v < 0 ? alpha * v : v);
    case 'sigmoid':
      return (v) => 1 / (1 + Math.exp(-v));
    case 'tanh':
      return Math.tanh;
    case 'hardSwish':
      return (v) => (v * relu6(v + 3)) / 6;
    case 'elu':
      return (v) => (v < 0 ? alpha * Math.expm1(v) : v);
  }
}
