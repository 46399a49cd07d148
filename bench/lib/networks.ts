// End-to-end network cases (bench/networks.json): the layer list, the seeded weights
// every engine shares, and the arithmetic (FLOPs, minimal bytes) of one forward pass;
// and loadCase, which gives any case (single op or network) its data and arithmetic.

import { createEngine, mobilenetV1Layers, mobilenetV2Layers, sequential, type LayerSpec } from 'sepconv';
import { seededUniform } from '../../src/random.js';
import { caseFlops } from './case-flops.js';
import { caseBytes, caseData, caseSeed, outputShape } from './cases.js';
import type { BenchCase, CaseData } from './types.js';

/** Seed of the networks' weights (sepconv's seeded initialiser: He-uniform kernels, batch norm near identity). */
export const NETWORK_WEIGHT_SEED = 1;

/** The Keras layer list of a network case, from the library. */
export function networkLayers(c: BenchCase): LayerSpec[] {
  const alpha = c.alpha ?? 1;
  const classes = c.classes ?? 1000;
  switch (c.network) {
    case 'mobilenetV1':
      return mobilenetV1Layers(alpha, classes);
    case 'mobilenetV2':
      return mobilenetV2Layers(alpha, classes);
    default:
      throw new Error(`bench: case ${c.id}: unknown network ${String(c.network)}`);
  }
}

/** A case made ready: its data, and the FLOPs and minimal bytes of one run. */
export interface LoadedCase {
  data: CaseData;
  flops: number;
  bytes: number;
}

/**
 * A network case's data and arithmetic: the model is built once on a sepconv CPU
 * engine with seed {@link NETWORK_WEIGHT_SEED}, and its Keras-ordered weights
 * (`model.weights()`) are what every engine gets. FLOPs are `model.flops()` (the
 * convolutions and the dense layer, 2 per multiply-add); minimal bytes are input +
 * folded weights (`model.params().folded`) + output, f32.
 */
export async function networkCase(c: BenchCase): Promise<LoadedCase> {
  const [n, h, w, ch] = c.input;
  if (n !== 1) throw new Error(`bench: case ${c.id}: network cases run at batch 1`);
  const layers = networkLayers(c);
  const engine = await createEngine({ backend: 'cpu' });
  try {
    const model = sequential(layers, { engine, inputShape: [h, w, ch], seed: NETWORK_WEIGHT_SEED });
    const weights = model.weights();
    const flops = model.flops();
    const folded = model.params().folded;
    model.dispose();
    const outShape = outputShape(c);
    const data: CaseData = { x: seededUniform(n * h * w * ch, caseSeed(c)), layers, weights, outShape };
    const outputs = outShape.reduce((a, b) => a * b, 1);
    return { data, flops: n * flops, bytes: 4 * (data.x.length + folded + outputs) };
  } finally {
    engine.destroy();
  }
}

/** Any case's data and arithmetic. */
export async function loadCase(c: BenchCase): Promise<LoadedCase> {
  if (c.op === 'network') return networkCase(c);
  return { data: caseData(c), flops: caseFlops(c), bytes: caseBytes(c) };
}
