// A network's layer list (sepconv LayerSpec) with its Keras-ordered weights, lowered
// to a flat graph of inference ops with batch norm folded into the convolution before
// it: the form the TF.js and ONNX Runtime engines of the bench run.
//
// Folding is what a deployed model of either runtime does: tfjs-converter folds Keras
// BatchNormalization into the convolution (FusedConv2D / FusedDepthwiseConv2dNative with
// bias and relu6), and ONNX Runtime fuses Conv + BatchNormalization at its basic graph
// optimisation level. sepconv folds the same way (src/model/sequential.ts), so every
// engine runs the same ops: convolution + bias + activation, residual add, pool, dense,
// softmax. The folding here is the bench's own code (f64 scale, f32 weights), not the
// library's, so the agreement check also covers sepconv's folding.

import type { Activation, LayerSpec } from 'sepconv';
import { foldBatchNorm } from '../../src/model/fold.js';

/** Per-image shape [H, W, C] of a value (after flatten: [1, 1, features], flat). */
export type Shape3 = [number, number, number];

export interface GraphAct {
  activation: Activation;
  /** leakyRelu slope / elu scale (sepconv's defaults: 0.2 and 1). */
  alpha: number;
}

interface OpBase {
  name: string;
  input: number;
  output: number;
  inShape: Shape3;
  outShape: Shape3;
}

export interface ConvGeometry {
  kernel: [number, number];
  strides: [number, number];
  dilation: [number, number];
  padding: 'same' | 'valid';
}

export type GraphOp =
  /** filter HWIO [kh, kw, Cin / groups, Cout]. */
  | (OpBase & ConvGeometry & { kind: 'conv2d'; groups: number; filter: Float32Array; bias: Float32Array | null; act: GraphAct })
  /** filter [kh, kw, C, M]; output channel c·M + m. */
  | (OpBase & ConvGeometry & { kind: 'depthwise'; multiplier: number; filter: Float32Array; bias: Float32Array | null; act: GraphAct })
  /** 1×1 convolution (also dense on [1, 1, C]); filter [Cin, Cout]. */
  | (OpBase & { kind: 'pointwise'; filter: Float32Array; bias: Float32Array | null; act: GraphAct })
  /** output = act(input + residual). */
  | (OpBase & { kind: 'add'; residual: number; act: GraphAct })
  /** Mean over H and W: [H, W, C] → [1, 1, C]. */
  | (OpBase & { kind: 'pool' })
  /** [H, W, C] → [H·W·C] (NHWC order); the output shape is [1, 1, H·W·C]. */
  | (OpBase & { kind: 'flatten' })
  /** Softmax over channels. */
  | (OpBase & { kind: 'softmax' });

export interface NetworkGraph {
  /** Per-image input shape [H, W, C]. Value 0 is the input. */
  inputShape: Shape3;
  ops: GraphOp[];
  /** The output value and its per-image shape. */
  output: number;
  outputShape: Shape3;
  /** True once a flatten ran: the output is [N, features], not NHWC. */
  flat: boolean;
  /** Weights after folding (filters and biases), as sepconv's Model.params().folded counts them. */
  foldedParams: number;
}

const pair = (v: number | readonly [number, number] | undefined, d = 1): [number, number] =>
  v === undefined ? [d, d] : typeof v === 'number' ? [v, v] : [v[0], v[1]];

function spatialOut(size: number, k: number, s: number, d: number, padding: 'same' | 'valid'): number {
  const eff = (k - 1) * d + 1;
  return padding === 'same' ? Math.ceil(size / s) : Math.floor((size - eff) / s) + 1;
}

const LINEAR: GraphAct = { activation: 'linear', alpha: 0 };
const DEFAULT_ALPHA: Partial<Record<Activation, number>> = { leakyRelu: 0.2, elu: 1 };

/**
 * Lowers `layers` (with `weights` in Keras get_weights() order) applied to a
 * per-image input `inputShape` into a folded op graph. Throws on a layer order the
 * lowering cannot fold (the same ones sepconv's sequential() rejects).
 */
export function lowerNetwork(layers: readonly LayerSpec[], weights: readonly Float32Array[], inputShape: Shape3): NetworkGraph {
  const ops: GraphOp[] = [];
  const shapes: Shape3[] = [[...inputShape]];
  let next = 0;
  let flat = false;
  const take = (what: string, size: number): Float32Array => {
    const w = weights[next];
    if (!(w instanceof Float32Array) || w.length !== size) {
      throw new Error(`lowerNetwork: weights[${next}] (${what}) should have ${size} values, has ${w instanceof Float32Array ? w.length : 'none'}`);
    }
    next++;
    return w;
  };
  const newValue = (s: Shape3) => shapes.push(s) - 1;

  const run = (ls: readonly LayerSpec[], input: number, path: string): { value: number; open: GraphOp | null } => {
    let value = input;
    // The last op while nothing else reads its output: a batch norm or activation after it folds into it.
    let open: GraphOp | null = null;
    ls.forEach((l, i) => {
      const where = `${path}[${i}] (${l.type})`;
      const name = l.name ?? `${l.type}_${ops.length}`;
      const inShape = shapes[value] as Shape3;
      const [h, w, c] = inShape;
      const push = <T extends GraphOp>(op: T): T => {
        ops.push(op);
        value = op.output;
        return op;
      };
      const geometry = (x: { kernelSize?: number | readonly [number, number]; strides?: number | readonly [number, number]; dilation?: number | readonly [number, number]; padding?: 'same' | 'valid' }) => {
        const g: ConvGeometry = { kernel: pair(x.kernelSize), strides: pair(x.strides), dilation: pair(x.dilation), padding: x.padding ?? 'valid' };
        const oh = spatialOut(h, g.kernel[0], g.strides[0], g.dilation[0], g.padding);
        const ow = spatialOut(w, g.kernel[1], g.strides[1], g.dilation[1], g.padding);
        return { g, oh, ow };
      };
      switch (l.type) {
        case 'conv2d': {
          const { g, oh, ow } = geometry(l);
          const groups = l.groups ?? 1;
          const f = l.filters;
          const filter = take(`${name} kernel`, g.kernel[0] * g.kernel[1] * (c / groups) * f);
          const bias = l.useBias ?? true ? take(`${name} bias`, f) : null;
          open = push({ kind: 'conv2d', name, input: value, output: newValue([oh, ow, f]), inShape, outShape: [oh, ow, f], ...g, groups, filter, bias, act: act(l.activation) });
          break;
        }
        case 'depthwiseConv2d': {
          const { g, oh, ow } = geometry(l);
          const m = l.depthMultiplier ?? 1;
          const filter = take(`${name} depthwise_kernel`, g.kernel[0] * g.kernel[1] * c * m);
          const bias = l.useBias ?? true ? take(`${name} bias`, c * m) : null;
          open = push({ kind: 'depthwise', name, input: value, output: newValue([oh, ow, c * m]), inShape, outShape: [oh, ow, c * m], ...g, multiplier: m, filter, bias, act: act(l.activation) });
          break;
        }
        case 'pointwiseConv2d':
        case 'dense': {
          if (l.type === 'dense' && (h !== 1 || w !== 1)) throw new Error(`lowerNetwork: ${where}: dense needs a [1, 1, C] input`);
          const f = l.type === 'dense' ? l.units : l.filters;
          const filter = take(`${name} kernel`, c * f);
          const bias = l.useBias ?? true ? take(`${name} bias`, f) : null;
          open = push({ kind: 'pointwise', name, input: value, output: newValue([h, w, f]), inShape, outShape: [h, w, f], filter, bias, act: act(l.activation) });
          break;
        }
        case 'separableConv2d': {
          // Depthwise (no bias, linear), then pointwise with the layer's bias and activation.
          const { g, oh, ow } = geometry(l);
          const m = l.depthMultiplier ?? 1;
          const dw = take(`${name} depthwise_kernel`, g.kernel[0] * g.kernel[1] * c * m);
          const pw = take(`${name} pointwise_kernel`, c * m * l.filters);
          const bias = l.useBias ?? true ? take(`${name} bias`, l.filters) : null;
          push({ kind: 'depthwise', name: `${name}_dw`, input: value, output: newValue([oh, ow, c * m]), inShape, outShape: [oh, ow, c * m], ...g, multiplier: m, filter: dw, bias: null, act: LINEAR });
          const mid = shapes[value] as Shape3;
          open = push({ kind: 'pointwise', name: `${name}_pw`, input: value, output: newValue([oh, ow, l.filters]), inShape: mid, outShape: [oh, ow, l.filters], filter: pw, bias, act: act(l.activation) });
          break;
        }
        case 'batchNorm': {
          const o = open as GraphOp | null;
          if (!o || !('filter' in o) || o.act.activation !== 'linear') {
            throw new Error(`lowerNetwork: ${where}: batch norm must follow a convolution or dense layer with no activation`);
          }
          const gamma = take(`${name} gamma`, c);
          const beta = take(`${name} beta`, c);
          const mean = take(`${name} moving_mean`, c);
          const variance = take(`${name} moving_variance`, c);
          if (o.filter.length % gamma.length !== 0) throw new Error(`lowerNetwork: batch norm of ${gamma.length} channels after ${o.name} with ${o.filter.length} weights`);
          Object.assign(o, foldBatchNorm(o.filter, o.bias, [gamma, beta, mean, variance], l.epsilon ?? 1e-3));
          break;
        }
        case 'activation': {
          const o = open as GraphOp | null;
          if (!o || !('act' in o) || o.act.activation !== 'linear') {
            throw new Error(`lowerNetwork: ${where}: an activation must follow a convolution, dense layer or residual block with none`);
          }
          o.act = act(l.activation, l.alpha);
          break;
        }
        case 'residual': {
          const inner = run(l.layers, value, `${where}.layers`);
          const outShape = shapes[inner.value] as Shape3;
          if (outShape.join() !== inShape.join()) throw new Error(`lowerNetwork: ${where}: block output [${outShape}] ≠ input [${inShape}]`);
          open = push({ kind: 'add', name, input: inner.value, residual: value, output: newValue(outShape), inShape: outShape, outShape, act: LINEAR });
          break;
        }
        case 'globalAveragePool':
          push({ kind: 'pool', name, input: value, output: newValue([1, 1, c]), inShape, outShape: [1, 1, c] });
          open = null;
          break;
        case 'flatten':
          push({ kind: 'flatten', name, input: value, output: newValue([1, 1, h * w * c]), inShape, outShape: [1, 1, h * w * c] });
          flat = true;
          open = null;
          break;
        case 'softmax':
          push({ kind: 'softmax', name, input: value, output: newValue(inShape), inShape, outShape: inShape });
          open = null;
          break;
        default: {
          const t: never = l;
          throw new Error(`lowerNetwork: ${where}: unknown layer ${JSON.stringify(t)}`);
        }
      }
    });
    return { value, open };
  };

  const end = run(layers, 0, 'layers');
  if (next !== weights.length) throw new Error(`lowerNetwork: the layers use ${next} weight arrays, ${weights.length} were given`);
  const foldedParams = ops.reduce((a, o) => a + ('filter' in o ? o.filter.length + (o.bias?.length ?? 0) : 0), 0);
  return { inputShape: [...inputShape], ops, output: end.value, outputShape: shapes[end.value] as Shape3, flat, foldedParams };
}

function act(a: Activation | undefined, alpha?: number): GraphAct {
  const activation = a ?? 'linear';
  return { activation, alpha: alpha ?? DEFAULT_ALPHA[activation] ?? 0 };
}

