// The ONNX op table: one translation per op type (like tfjs-converter's op
// mappers). It is the one list of what the loader supports: the
// UNSUPPORTED_OP message and the README's table come from its keys.

import type { NodeContext } from './context.js';
import { AveragePool, Conv, GlobalAveragePool, MaxPool } from './conv.js';
import { activation, BatchNormalization, binary, Clip, Elu, HardSigmoid, LeakyRelu } from './elementwise.js';
import { Gemm, MatMul, Softmax } from './linear.js';
import {
  Concat,
  Constant,
  ConstantOfShape,
  Dropout,
  Flatten,
  Gather,
  Identity,
  Pad,
  Reshape,
  Shape,
  Squeeze,
  Transpose,
  Unsqueeze,
} from './shape-ops.js';

/** Translates one node: defines its outputs (IR nodes, or constants folded now). */
export type OnnxOpMapper = (ctx: NodeContext) => void;

export const ONNX_OPS: Readonly<Record<string, OnnxOpMapper>> = {
  Add: binary('add'),
  AveragePool,
  BatchNormalization,
  Clip,
  Concat,
  Constant,
  ConstantOfShape,
  Conv,
  Div: binary('div'),
  Dropout,
  Elu,
  Flatten,
  Gather,
  Gemm,
  GlobalAveragePool,
  HardSigmoid,
  HardSwish: activation('hardSwish'),
  Identity,
  LeakyRelu,
  MatMul,
  MaxPool,
  Mul: binary('mul'),
  Pad,
  Relu: activation('relu'),
  Reshape,
  Shape,
  Sigmoid: activation('sigmoid'),
  Softmax,
  Squeeze,
  Sub: binary('sub'),
  Tanh: activation('tanh'),
  Transpose,
  Unsqueeze,
};

/** The ONNX op types sepconv translates, sorted. */
export const SUPPORTED_ONNX_OPS: readonly string[] = Object.keys(ONNX_OPS).sort();
