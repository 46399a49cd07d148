import type { ActivationSpec } from '../activation.js';

// Written from the definitions, not from the WGSL. NaN passes through every
// activation unchanged (comparisons with NaN are false, so no branch clamps it).
// Each activation is applied to the float64 sum (bias included) before the one
// rounding to float32 that storing into the output makes.

function relu(v: number): number {
  return v < 0 ? 0 : v;
}

function relu6(v: number): number {
  return v < 0 ? 0 : v > 6 ? 6 : v;
}

function leakyRelu(v: number, alpha: number): number {
  return v < 0 ? alpha * v : v;
}

function sigmoid(v: number): number {
  return 1 / (1 + Math.exp(-v));
}

function hardSwish(v: number): number {
  return (v * relu6(v + 3)) / 6;
}

function elu(v: number, alpha: number): number {
  return v < 0 ? alpha * Math.expm1(v) : v;
}

function clip(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

function hardSigmoid(v: number, alpha: number, beta: number): number {
  const t = alpha * v + beta;
  return t < 0 ? 0 : t > 1 ? 1 : t;
}

/** The activation as a function of one value. */
export function cpuActivation({ activation, alpha, beta }: ActivationSpec): (v: number) => number {
  switch (activation) {
    case 'linear':
      return (v) => v;
    case 'relu':
      return relu;
    case 'relu6':
      return relu6;
    case 'leakyRelu':
      return (v) => leakyRelu(v, alpha);
    case 'sigmoid':
      return sigmoid;
    case 'tanh':
      return Math.tanh;
    case 'hardSwish':
      return hardSwish;
    case 'elu':
      return (v) => elu(v, alpha);
    case 'clip':
      return (v) => clip(v, alpha, beta);
    case 'hardSigmoid':
      return (v) => hardSigmoid(v, alpha, beta);
  }
}

/**
 * y[yOff + i] = act(sums[sumsOff + i]) for i < n: the activation applied to n float64
 * sums, each rounded to float32 once on the store. The kernels gather a few output
 * pixels' sums in a scratch Float64Array and hand them here. The switch sits outside
 * the loops so that each loop calls one known function (which V8 inlines) instead of
 * an unknown closure per output; the functions are the same ones cpuActivation returns.
 */
export function activateInto(
  spec: ActivationSpec,
  sums: Float64Array,
  sumsOff: number,
  y: Float32Array,
  yOff: number,
  n: number,
): void {
  const { alpha, beta } = spec;
  switch (spec.activation) {
    case 'linear':
      for (let i = 0; i < n; i++) y[yOff + i] = sums[sumsOff + i] as number;
      return;
    case 'relu':
      for (let i = 0; i < n; i++) y[yOff + i] = relu(sums[sumsOff + i] as number);
      return;
    case 'relu6':
      for (let i = 0; i < n; i++) y[yOff + i] = relu6(sums[sumsOff + i] as number);
      return;
    case 'leakyRelu':
      for (let i = 0; i < n; i++) y[yOff + i] = leakyRelu(sums[sumsOff + i] as number, alpha);
      return;
    case 'sigmoid':
      for (let i = 0; i < n; i++) y[yOff + i] = sigmoid(sums[sumsOff + i] as number);
      return;
    case 'tanh':
      for (let i = 0; i < n; i++) y[yOff + i] = Math.tanh(sums[sumsOff + i] as number);
      return;
    case 'hardSwish':
      for (let i = 0; i < n; i++) y[yOff + i] = hardSwish(sums[sumsOff + i] as number);
      return;
    case 'elu':
      for (let i = 0; i < n; i++) y[yOff + i] = elu(sums[sumsOff + i] as number, alpha);
      return;
    case 'clip':
      for (let i = 0; i < n; i++) y[yOff + i] = clip(sums[sumsOff + i] as number, alpha, beta);
      return;
    case 'hardSigmoid':
      for (let i = 0; i < n; i++) y[yOff + i] = hardSigmoid(sums[sumsOff + i] as number, alpha, beta);
      return;
  }
}
