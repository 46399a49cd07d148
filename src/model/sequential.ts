// The sequential model builder: a list of Keras-like layers (see layers.ts)
// becomes a graph IR (src/model/ir.ts) with its summary rows and Keras weight
// order; the runtime (src/model/model.ts) folds batch norm and activations into
// the ops before them, fuses residual adds into the pointwise conv that ends a
// block, plans memory and runs it.

import { resolveActivation, type ActivationSpec } from '../activation.js';
import { countFlops } from '../count.js';
import type { Engine } from '../engine.js';
import { SepconvError, describe } from '../errors.js';
import { seededUniform as uniform } from '../random.js';
import { GraphBuilder, type Window } from './ir.js';
import { layerShape, spatialOf, type LayerSpec, type WeightSpec } from './layers.js';
import { Model, type LayerSummary } from './model.js';

export { Model } from './model.js';
export type { LayerSummary, MemoryPlan } from './model.js';

const OP = 'sequential';

/** Options of {@link sequential}. */
export interface SequentialOptions {
  /** The engine the model runs on. */
  engine: Engine;
  /** [H, W, C] of one input image (NHWC). */
  inputShape: readonly [number, number, number];
  /**
   * Weights in Keras `model.get_weights()` order (per layer: kernel, bias; batch norm:
   * gamma, beta, moving mean, moving variance). Default: seeded random weights.
   */
  weights?: readonly Float32Array[];
  /** Seed of the random weights. Default 1. */
  seed?: number;
}

/**
 * Seeded initial values that keep activations in a sane range through deep
 * networks: kernels He-uniform (bound √(6 / fan-in)), biases and batch-norm beta
 * and mean near 0, gamma and variance near 1.
 */
function initialWeight(spec: WeightSpec, seed: number): Float32Array {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const u = uniform(size, seed);
  const name = spec.name;
  if (name.endsWith('kernel')) {
    // fan-in: every dimension but the output one ([kh, kw, C, M] depthwise: kh·kw)
    const shape = spec.shape;
    const fanIn = name === 'depthwise_kernel' ? (shape[0] as number) * (shape[1] as number) : size / (shape[shape.length - 1] as number);
    const bound = Math.sqrt(6 / fanIn);
    return u.map((v) => v * bound);
  }
  if (name === 'gamma' || name === 'moving_variance') return u.map((v) => 1 + 0.25 * v);
  return u.map((v) => 0.05 * v);
}

/** Hands out a model's weights in Keras order: given ones, or seeded random ones. */
class WeightSource {
  private next = 0;
  constructor(
    private readonly given: readonly Float32Array[] | undefined,
    private readonly seed: number,
  ) {}

  take(layer: string, spec: WeightSpec): Float32Array {
    const index = this.next++;
    const size = spec.shape.reduce((a, b) => a * b, 1);
    if (!this.given) return initialWeight(spec, this.seed * 100_003 + index * 7919);
    const w = this.given[index];
    if (!(w instanceof Float32Array) || w.length !== size) {
      throw new SepconvError('SHAPE_MISMATCH', {
        op: OP,
        arg: `options.weights[${index}]`,
        expected: `a Float32Array of ${size} values (${layer} ${spec.name} [${spec.shape.join(', ')}])`,
        given: w instanceof Float32Array ? `${w.length} values` : describe(w),
      });
    }
    return w;
  }

  finish(): void {
    if (this.given && this.next !== this.given.length) {
      throw new SepconvError('SHAPE_MISMATCH', {
        op: OP,
        arg: 'options.weights',
        expected: `${this.next} arrays (Keras get_weights() order)`,
        given: `${this.given.length}`,
      });
    }
  }
}

/** Builds the graph of `layers` on NHWC images of `inputShape`, with Keras' summary rows and weight order. */
function buildGraph(layers: readonly LayerSpec[], inputShape: readonly [number, number, number], source: WeightSource) {
  const b = new GraphBuilder();
  const rows: LayerSummary[] = [];
  const kerasWeights: Float32Array[] = [];
  let trainable = 0;
  const act = (a: ActivationSpec['activation'] | undefined, alpha?: number) => resolveActivation(OP, a, alpha);
  /** [H, W, C] of an NHWC value. */
  const hwc = (v: number) => b.shape(v).slice(1) as [number, number, number];
  const windowOf = (s: ReturnType<typeof spatialOf>): Window => ({ kH: s.kH, kW: s.kW, strideH: s.strideH, strideW: s.strideW, dilationH: s.dilationH, dilationW: s.dilationW, pad: s.pad });

  const compile = (list: readonly LayerSpec[], input: number, path: string): number => {
    let value = input;
    list.forEach((l, i) => {
      const arg = `${path}[${i}]`;
      if (l === null || typeof l !== 'object' || typeof (l as { type?: unknown }).type !== 'string') {
        throw new SepconvError('INVALID_ARGUMENT', { op: OP, arg, expected: 'a layer object with a type', given: describe(l) });
      }
      const name = l.name ?? `${l.type}_${rows.length}`;
      const inShape = hwc(value);
      if (l.type === 'residual') {
        const inner = compile(l.layers, value, `${arg}.layers`);
        const outShape = hwc(inner);
        if (outShape.join() !== inShape.join()) {
          throw new SepconvError('SHAPE_MISMATCH', { op: OP, arg, expected: `a block output of the input shape [${inShape.join(', ')}]`, given: `[${outShape.join(', ')}]` });
        }
        value = b.node('binary', name, [inner, value], { kind: 'add', act: act(undefined) });
        rows.push({ name, type: 'residual (add)', outputShape: outShape, params: 0, flops: 0 });
        return;
      }
      if (!['conv2d', 'depthwiseConv2d', 'pointwiseConv2d', 'separableConv2d', 'batchNorm', 'activation', 'globalAveragePool', 'dense', 'flatten', 'softmax'].includes(l.type)) {
        throw new SepconvError('INVALID_ARGUMENT', { op: OP, arg: `${arg}.type`, expected: 'a known layer type', given: describe(l.type) });
      }
      const { out, weights } = layerShape(arg, l, inShape);
      const arrays = weights.map((w) => source.take(name, w));
      kerasWeights.push(...arrays);
      const params = weights.reduce((sum, w) => sum + w.shape.reduce((x, y) => x * y, 1), 0);
      trainable += weights.filter((w) => w.trainable).reduce((sum, w) => sum + w.shape.reduce((x, y) => x * y, 1), 0);
      const row: LayerSummary = { name, type: l.type, outputShape: l.type === 'flatten' ? [out[2]] : out, params, flops: 0 };
      rows.push(row);
      const [h, w, c] = inShape;
      const useBias = (x: { useBias?: boolean }) => x.useBias ?? true;
      switch (l.type) {
        case 'conv2d': {
          const s = spatialOf(arg, l, h, w);
          const groups = l.groups ?? 1;
          row.flops = countFlops({ op: 'conv2d', inChannels: c, outChannels: l.filters, kernelSize: [s.kH, s.kW], groups, inputSize: [h, w], stride: [s.strideH, s.strideW], dilation: [s.dilationH, s.dilationW], padding: l.padding ?? 'valid' });
          value = b.node('conv', name, [value], { ...windowOf(s), layout: 'NHWC', filter: arrays[0] as Float32Array, bias: useBias(l) ? (arrays[1] as Float32Array) : null, groups, outChannels: l.filters, act: act(l.activation), residual: null });
          break;
        }
        case 'depthwiseConv2d': {
          const s = spatialOf(arg, l, h, w);
          const m = l.depthMultiplier ?? 1;
          row.flops = countFlops({ op: 'depthwise', inChannels: c, kernelSize: [s.kH, s.kW], depthMultiplier: m, inputSize: [h, w], stride: [s.strideH, s.strideW], dilation: [s.dilationH, s.dilationW], padding: l.padding ?? 'valid' });
          // [kh, kw, C, M] is the grouped HWIO [kh, kw, 1, C·M] with groups = C: same data.
          value = b.node('conv', name, [value], { ...windowOf(s), layout: 'NHWC', filter: arrays[0] as Float32Array, bias: useBias(l) ? (arrays[1] as Float32Array) : null, groups: c, outChannels: c * m, act: act(l.activation), residual: null });
          break;
        }
        case 'pointwiseConv2d': {
          row.flops = countFlops({ op: 'pointwise', inChannels: c, outChannels: l.filters, inputSize: [h, w] });
          const one = { kH: 1, kW: 1, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, pad: { top: 0, bottom: 0, left: 0, right: 0 } };
          value = b.node('conv', name, [value], { ...one, layout: 'NHWC', filter: arrays[0] as Float32Array, bias: useBias(l) ? (arrays[1] as Float32Array) : null, groups: 1, outChannels: l.filters, act: act(l.activation), residual: null });
          break;
        }
        case 'dense': {
          row.flops = countFlops({ op: 'pointwise', inChannels: c, outChannels: l.units, inputSize: [h, w] });
          value = b.node('dense', name, [value], { weights: arrays[0] as Float32Array, bias: useBias(l) ? (arrays[1] as Float32Array) : null, units: l.units, act: act(l.activation), residual: null });
          break;
        }
        case 'separableConv2d': {
          const s = spatialOf(arg, l, h, w);
          const m = l.depthMultiplier ?? 1;
          row.flops = countFlops({ op: 'separable', inChannels: c, outChannels: l.filters, kernelSize: [s.kH, s.kW], depthMultiplier: m, inputSize: [h, w], stride: [s.strideH, s.strideW], dilation: [s.dilationH, s.dilationW], padding: l.padding ?? 'valid' });
          value = b.node('separable', name, [value], {
            ...windowOf(s),
            layout: 'NHWC',
            depthwiseFilter: arrays[0] as Float32Array,
            pointwiseFilter: arrays[1] as Float32Array,
            bias: useBias(l) ? (arrays[2] as Float32Array) : null,
            multiplier: m,
            outChannels: l.filters,
            act: act(l.activation),
          });
          break;
        }
        case 'batchNorm': {
          const [gamma, beta, mean, variance] = arrays as [Float32Array, Float32Array, Float32Array, Float32Array];
          const eps = l.epsilon ?? 1e-3;
          const scale = new Float32Array(c);
          const shift = new Float32Array(c);
          for (let k = 0; k < c; k++) {
            const sk = (gamma[k] as number) / Math.sqrt((variance[k] as number) + eps);
            scale[k] = sk;
            shift[k] = (beta[k] as number) - (mean[k] as number) * sk;
          }
          value = b.node('scaleShift', name, [value], { axis: 3, scale, shift });
          break;
        }
        case 'activation':
          value = b.node('activation', name, [value], { act: act(l.activation, l.alpha) });
          break;
        case 'globalAveragePool':
          value = b.node('globalAveragePool', name, [value], { layout: 'NHWC' });
          break;
        case 'flatten':
          value = b.node('reshape', name, [value], { shape: [-1, h * w * c] });
          break;
        case 'softmax':
          value = b.node('softmax', name, [value], { axis: -1 });
          break;
      }
    });
    return value;
  };

  const input = b.input('input', [-1, ...inputShape], 'NHWC');
  b.output(compile(layers, input, 'layers'));
  const total = kerasWeights.reduce((a, w) => a + w.length, 0);
  return { graph: b.graph, rows, weights: kerasWeights, params: { total, trainable } };
}

/**
 * Builds a model from a list of layers (Keras-like), on `options.engine`.
 * @example
 * const model = sequential([
 *   { type: 'conv2d', filters: 32, kernelSize: 3, strides: 2, padding: 'same', useBias: false },
 *   { type: 'batchNorm' }, { type: 'activation', activation: 'relu6' },
 *   { type: 'depthwiseConv2d', kernelSize: 3, padding: 'same', useBias: false },
 *   { type: 'batchNorm' }, { type: 'activation', activation: 'relu6' },
 *   { type: 'pointwiseConv2d', filters: 64, useBias: false }, { type: 'batchNorm' },
 *   { type: 'globalAveragePool' }, { type: 'dense', units: 10 }, { type: 'flatten' }, { type: 'softmax' },
 * ], { engine, inputShape: [224, 224, 3] });
 * const probs = model.predict(x); // [N, 10]
 */
export function sequential(layers: readonly LayerSpec[], options: SequentialOptions): Model {
  if (options === null || typeof options !== 'object' || !options.engine) {
    throw new SepconvError('INVALID_ARGUMENT', { op: OP, arg: 'options.engine', expected: 'an Engine', given: describe(options?.engine) });
  }
  return new Model(options.engine, { ...sequentialGraph(layers, options), op: OP });
}

/**
 * The graph IR of `layers` (before the passes), with Keras' summary rows, the weights in
 * Keras order and the parameter counts: what {@link sequential} hands the runtime. Not part
 * of the public API; the benchmark translates it to TF.js ops and ONNX (bench/engines).
 */
export function sequentialGraph(layers: readonly LayerSpec[], options: Omit<SequentialOptions, 'engine'>) {
  const { inputShape } = options;
  if (!Array.isArray(layers) || layers.length === 0) {
    throw new SepconvError('INVALID_ARGUMENT', { op: OP, arg: 'layers', expected: 'a non-empty array of layers', given: describe(layers) });
  }
  if (!Array.isArray(inputShape) || inputShape.length !== 3 || !inputShape.every((v) => Number.isInteger(v) && v > 0)) {
    throw new SepconvError('INVALID_ARGUMENT', { op: OP, arg: 'options.inputShape', expected: '[H, W, C] of positive integers', given: describe(inputShape) });
  }
  const source = new WeightSource(options.weights, options.seed ?? 1);
  const built = buildGraph(layers, inputShape, source);
  source.finish();
  return built;
}
