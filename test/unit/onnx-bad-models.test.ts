// The bad-model catalogue: malformed and unsupported .onnx files, each built
// here with the protobuf schema, and the SepconvError each must give (code, and
// a message that says what and where).

import { describe, expect, it } from 'vitest';
import { TensorProto_DataLocation, TensorProto_DataType, OperatorSetIdProtoSchema, StringStringEntryProtoSchema } from 'onnx-buf';
import { create } from '@bufbuild/protobuf';
import { SepconvError } from '../../src/errors.js';
import { onnxToGraph, SUPPORTED_ONNX_OPS } from '../../src/model/onnx/index.js';
import { DataType, encode, ints64, modelProto, node, onnxModel, tensor, value, type ModelSpec } from '../support/onnx-model.js';

function errorOf(bytes: Uint8Array): SepconvError {
  try {
    onnxToGraph(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(SepconvError);
    return e as SepconvError;
  }
  throw new Error('expected the translation to fail');
}

const x = value('x', [1, 3, 8, 8]);
const y = value('y', null);
const weights = tensor('W', [4, 3, 3, 3], new Array(108).fill(0.5));
/** A valid one-conv model, for the cases that break one thing of it. */
const conv: ModelSpec = { inputs: [x], outputs: [y], nodes: [node('Conv', ['x', 'W'], ['y'], {}, 'conv1')], initializers: [weights] };

interface Case {
  what: string;
  bytes: () => Uint8Array;
  code: 'BAD_MODEL' | 'UNSUPPORTED_OP';
  message: (string | RegExp)[];
}

const catalogue: Case[] = [
  {
    what: 'a truncated file',
    bytes: () => onnxModel(conv).subarray(0, 300),
    code: 'BAD_MODEL',
    message: ['sepconv.loadOnnx: file:', /not a readable ONNX protobuf \(.+\): truncated or not an \.onnx file/],
  },
  {
    what: 'a file that is not protobuf (a model.json)',
    bytes: () => new TextEncoder().encode('{"modelTopology": {"class_name": "Sequential"}}'),
    code: 'BAD_MODEL',
    message: ['file:', 'not a readable ONNX protobuf'],
  },
  {
    what: 'an empty file',
    bytes: () => new Uint8Array(0),
    code: 'BAD_MODEL',
    message: ['file: holds no graph'],
  },
  {
    what: 'an op type sepconv does not run',
    bytes: () => onnxModel({ inputs: [x], outputs: [y], nodes: [node('Resize', ['x', '', 'scales'], ['y'], {}, 'upsample')], initializers: [tensor('scales', [4], [1, 1, 2, 2])] }),
    code: 'UNSUPPORTED_OP',
    message: ["node 'upsample' (Resize): op type 'Resize' is not supported", `sepconv runs the ONNX ops ${SUPPORTED_ONNX_OPS.join(', ')}`],
  },
  {
    what: 'an op of another domain',
    bytes: () => {
      const m = modelProto({ inputs: [x], outputs: [y], nodes: [node('FusedConv', ['x', 'W'], ['y'], {}, 'fc')], initializers: [weights] });
      (m.graph?.node[0] as { domain: string }).domain = 'com.microsoft';
      m.opsetImport.push(create(OperatorSetIdProtoSchema, { domain: 'com.microsoft', version: 1n }));
      return encode(m);
    },
    code: 'UNSUPPORTED_OP',
    message: ["node 'fc' (FusedConv): op 'FusedConv' of domain 'com.microsoft'"],
  },
  {
    what: 'an opset newer than 21',
    bytes: () => onnxModel({ ...conv, opset: 22 }),
    code: 'UNSUPPORTED_OP',
    message: ['file: opset 22 (sepconv reads opsets 7–21)'],
  },
  {
    what: 'no opset of the default domain',
    bytes: () => {
      const m = modelProto(conv);
      m.opsetImport = [create(OperatorSetIdProtoSchema, { domain: 'ai.onnx.ml', version: 3n })];
      return encode(m);
    },
    code: 'BAD_MODEL',
    message: ['file: imports no opset of the default ONNX domain'],
  },
  {
    what: 'an initializer holding fewer values than its dims',
    bytes: () => onnxModel({ ...conv, initializers: [tensor('W', [4, 3, 3, 3], new Array(100).fill(1))] }),
    code: 'BAD_MODEL',
    message: ["initializer 'W': dims [4, 3, 3, 3] make 108 elements but it holds 100 (400 bytes of raw_data)"],
  },
  {
    what: 'a missing initializer',
    bytes: () => onnxModel({ ...conv, initializers: [] }),
    code: 'BAD_MODEL',
    message: ["node 'conv1' (Conv): reads 'W', which is not a graph input, an initializer or an output of an earlier node"],
  },
  {
    what: 'weights in an external data file',
    bytes: () => {
      const w = tensor('W', [4, 3, 3, 3], []);
      w.rawData = new Uint8Array(0);
      w.dataLocation = TensorProto_DataLocation.EXTERNAL;
      w.externalData = [create(StringStringEntryProtoSchema, { key: 'location', value: 'model.onnx.data' })];
      return onnxModel({ ...conv, initializers: [w] });
    },
    code: 'BAD_MODEL',
    message: ["initializer 'W': its data is in an external file ('model.onnx.data') (data_location EXTERNAL)"],
  },
  {
    what: 'integer weights for a Conv',
    bytes: () => onnxModel({ ...conv, initializers: [tensor('W', [4, 3, 3, 3], new Array(108).fill(1), DataType.INT32)] }),
    code: 'BAD_MODEL',
    message: ["node 'conv1' (Conv): the weights W ('W') has an integer element type, expected float weights"],
  },
  {
    what: 'a string initializer',
    bytes: () => {
      const s = tensor('W', [1], [0]);
      s.rawData = new Uint8Array(0);
      s.dataType = TensorProto_DataType.STRING;
      s.stringData = [new TextEncoder().encode('hello')];
      return onnxModel({ ...conv, initializers: [s] });
    },
    code: 'BAD_MODEL',
    message: ["initializer 'W': element type STRING, which sepconv does not read"],
  },
  {
    what: 'a dynamic spatial dimension on an input',
    bytes: () => onnxModel({ ...conv, inputs: [value('x', ['N', 3, 'H', 'W'])] }),
    code: 'BAD_MODEL',
    message: ["input 'x': dimension 2 of [-1, 3, -1, -1] is dynamic; sepconv resolves a dynamic batch (dimension 0) only"],
  },
  {
    what: 'a reshape that merges a dynamic batch',
    bytes: () =>
      onnxModel({ inputs: [value('x', ['N', 3, 4, 4])], outputs: [y], nodes: [node('Reshape', ['x', 's'], ['y'], {}, 'r')], initializers: [ints64('s', [1, -1])] }),
    code: 'BAD_MODEL',
    message: ["node 'r' (Reshape): cannot resolve a reshape of [-1, 3, 4, 4] (-1: any batch) to [1, -1]"],
  },
  {
    what: 'ConstantOfShape of the dynamic batch',
    bytes: () =>
      onnxModel({
        inputs: [value('x', ['N', 3, 4, 4])],
        outputs: [y],
        nodes: [node('Shape', ['x'], ['s']), node('ConstantOfShape', ['s'], ['z'], {}, 'zeros'), node('Add', ['x', 'z'], ['y'])],
      }),
    code: 'BAD_MODEL',
    message: ["node 'zeros' (ConstantOfShape): cannot make a constant of the dynamic batch size (shape [batch, 3, 4, 4])"],
  },
  {
    what: 'Conv weights whose groups do not fit the input',
    bytes: () => onnxModel({ ...conv, nodes: [node('Conv', ['x', 'W'], ['y'], { group: { i: 2 } }, 'conv1')] }),
    code: 'BAD_MODEL',
    message: ["node 'conv1' (Conv): weights W [4, 3, 3, 3] with group 2 do not fit an input of 3 channels"],
  },
  {
    what: 'a Conv bias of the wrong length',
    bytes: () => onnxModel({ ...conv, nodes: [node('Conv', ['x', 'W', 'B'], ['y'], {}, 'conv1')], initializers: [weights, tensor('B', [3], [1, 2, 3])] }),
    code: 'BAD_MODEL',
    message: ["node 'conv1' (Conv): bias B ('B') has 3 elements for 4 output channels"],
  },
  {
    what: 'a Conv whose weights are computed at run time',
    bytes: () => onnxModel({ inputs: [x, value('w', [4, 3, 3, 3])], outputs: [y], nodes: [node('Conv', ['x', 'w'], ['y'], {}, 'conv1')] }),
    code: 'UNSUPPORTED_OP',
    message: ["node 'conv1' (Conv): the weights W ('w') is computed at run time; sepconv needs it constant"],
  },
  {
    what: 'a 1-D convolution',
    bytes: () => onnxModel({ inputs: [value('x', [1, 3, 8])], outputs: [y], nodes: [node('Conv', ['x', 'W'], ['y'], {}, 'conv1')], initializers: [tensor('W', [4, 3, 3], new Array(36).fill(1))] }),
    code: 'UNSUPPORTED_OP',
    message: ["node 'conv1' (Conv): a Conv on a rank-3 input (sepconv runs 2-D ones, on rank-4 NCHW tensors)"],
  },
  {
    what: 'Pad in reflect mode',
    bytes: () => onnxModel({ inputs: [x], outputs: [y], nodes: [node('Pad', ['x', 'p'], ['y'], { mode: { s: 'reflect' } }, 'pad')], initializers: [ints64('p', [0, 0, 1, 1, 0, 0, 1, 1])] }),
    code: 'UNSUPPORTED_OP',
    message: ["node 'pad' (Pad): Pad mode 'reflect' (sepconv pads with a constant)"],
  },
  {
    what: "a read of MaxPool's Indices output",
    bytes: () =>
      onnxModel({
        inputs: [x],
        outputs: [y],
        nodes: [node('MaxPool', ['x'], ['p', 'idx'], { kernel_shape: { ints: [2, 2] } }, 'pool'), node('Add', ['p', 'idx'], ['y'], {}, 'add')],
      }),
    code: 'UNSUPPORTED_OP',
    message: ["node 'add' (Add): reads 'idx', output 2 of node 'pool' (MaxPool): MaxPool's Indices"],
  },
  {
    what: 'a non-float input',
    bytes: () => onnxModel({ ...conv, inputs: [value('x', [1, 3, 8, 8], DataType.INT64)] }),
    code: 'BAD_MODEL',
    message: ["input 'x': has element type INT64; sepconv runs float32 models"],
  },
  {
    what: 'an output declared with another shape than the graph computes',
    bytes: () => onnxModel({ ...conv, outputs: [value('y', [1, 4, 8, 8])] }),
    code: 'BAD_MODEL',
    message: ["output 'y': is declared [1, 4, 8, 8] but the graph computes [1, 4, 6, 6]"],
  },
  {
    what: 'an attribute of the wrong type',
    bytes: () => onnxModel({ ...conv, nodes: [node('Conv', ['x', 'W'], ['y'], { strides: { f: 2 } }, 'conv1')] }),
    code: 'BAD_MODEL',
    message: ["node 'conv1' (Conv): attribute 'strides' is FLOAT, expected INTS"],
  },
  {
    what: 'operands that do not broadcast',
    bytes: () => onnxModel({ inputs: [x, value('z', [1, 4, 8, 8])], outputs: [y], nodes: [node('Add', ['x', 'z'], ['y'], {}, 'sum')] }),
    code: 'BAD_MODEL',
    message: ["node 'sum' (Add): expected operand shapes that broadcast ([1, 3, 8, 8] and [1, 4, 8, 8])"],
  },
];

describe('bad models', () => {
  it('the catalogue has at least 12 files', () => {
    expect(catalogue.length).toBeGreaterThanOrEqual(12);
  });

  it.each(catalogue.map((c) => [c.what, c] as const))('%s', (_, c) => {
    const e = errorOf(c.bytes());
    expect(e.code).toBe(c.code);
    for (const m of c.message) {
      if (typeof m === 'string') expect(e.message).toContain(m);
      else expect(e.message).toMatch(m);
    }
    expect(e.op).toBe('loadOnnx');
  });

  it('the valid model the catalogue breaks translates', () => {
    const { graph } = onnxToGraph(onnxModel(conv));
    expect(graph.nodes.map((n) => n.op)).toEqual(['conv']);
  });
});
