// Keras activations (a layer's `activation` attribute, or an Activation layer)
// as IR nodes appended after the op; the graph passes fuse them into the op's
// write. Names are accepted in the snake_case model.json stores and in
// tfjs-layers' camelCase.
//
// hard_sigmoid differs by version: Keras 2 and tfjs-layers compute
// clip(0.2·x + 0.5, 0, 1) (tfjs-layers backend/tfjs_backend.ts hardSigmoid);
// Keras 3 computes relu6(x + 3) / 6 = clip(x/6 + 0.5, 0, 1). The file's
// keras_version decides (see LayerCall.hardSigmoidSlope).

import type { Activation, ActivationSpec } from '../../activation.js';
import { badModel, unsupported } from './errors.js';
import type { LayerCall } from './layers.js';
import { isRecord } from './topology.js';

/** An IR activation with its parameters. */
export function spec(activation: Activation, alpha = 0, beta = 0): ActivationSpec {
  return { activation, alpha, beta };
}

export const LINEAR = spec('linear');

/** The Keras activation names sepconv runs (snake_case, as model.json stores them). */
export const KERAS_ACTIVATIONS: readonly string[] = [
  'linear',
  'relu',
  'relu6',
  'sigmoid',
  'tanh',
  'elu',
  'hard_sigmoid',
  'swish',
  'silu',
  'hard_swish',
  'hard_silu',
  'leaky_relu',
  'softmax',
];

/** 'hardSigmoid' → 'hard_sigmoid'. */
function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** The activation's name from a config value: 'relu', or { class_name: 'relu' } (Keras 3 may write objects). */
function activationName(call: LayerCall, key: string): string {
  const v = call.cfg.raw(key);
  if (v === undefined || v === null) return 'linear';
  if (typeof v === 'string') return snake(v);
  if (isRecord(v) && typeof v.class_name === 'string') return snake(v.class_name);
  throw badModel(`${call.cfg.where}: ${key}`, `${JSON.stringify(v)} is not an activation name`, 'an activation name such as \'relu\'');
}

/**
 * Appends the nodes of the activation named by the layer's config `key` (default
 * 'activation') to `x` and returns the result; `x` itself for 'linear'. The last
 * node is named `layer/<activation>`, or after the layer itself when the
 * activation is the layer's own op (`own`: an Activation layer).
 */
export function activate(call: LayerCall, x: number, key = 'activation', own = false): number {
  const name = activationName(call, key);
  const last = own ? '' : name;
  const node = (s: ActivationSpec) => call.emit('activation', last, [x], { act: s });
  switch (name) {
    case 'linear':
      return x;
    case 'relu':
      return node(spec('relu'));
    case 'relu6':
      return node(spec('relu6'));
    case 'sigmoid':
      return node(spec('sigmoid'));
    case 'tanh':
      return node(spec('tanh'));
    case 'elu':
      return node(spec('elu', 1));
    case 'hard_sigmoid':
      return node(spec('hardSigmoid', call.hardSigmoidSlope, 0.5));
    case 'hard_swish':
    case 'hard_silu':
      // Keras 3: x · relu6(x + 3) / 6.
      return node(spec('hardSwish'));
    case 'leaky_relu':
      // Keras 3's activations.leaky_relu: negative_slope 0.2.
      return node(spec('leakyRelu', 0.2));
    case 'swish':
    case 'silu': {
      // x · sigmoid(x): no fused activation computes it, so a sigmoid and a product.
      const s = call.emit('activation', `${name}/sigmoid`, [x], { act: spec('sigmoid') });
      return call.emit('binary', last, [x, s], { kind: 'mul', act: LINEAR });
    }
    case 'softmax':
      return call.emit('softmax', last, [x], { axis: call.shape(x).length - 1 });
    default:
      throw unsupported(`${call.cfg.where}: ${key}`, `activation '${name}' is not one sepconv runs`, KERAS_ACTIVATIONS);
  }
}
