// Builds small .onnx files in tests with the same protobuf schema the loader
// decodes (onnx-buf on @bufbuild/protobuf): a model is a list of nodes,
// initializers and declared inputs/outputs, encoded to bytes.

import { create, toBinary } from '@bufbuild/protobuf';
import {
  AttributeProto_AttributeType as AttrType,
  AttributeProtoSchema,
  GraphProtoSchema,
  ModelProtoSchema,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  TensorProto_DataType as DataType,
  TensorProtoSchema,
  TensorShapeProto_DimensionSchema,
  TensorShapeProtoSchema,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  ValueInfoProtoSchema,
  type AttributeProto,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from 'onnx-buf';

export { DataType };

/** A float32 (or other type) tensor; `raw` stores it in raw_data as exporters do. */
export function tensor(name: string, dims: readonly number[], data: ArrayLike<number>, type: DataType = DataType.FLOAT, raw = true): TensorProto {
  const t = create(TensorProtoSchema, { name, dims: dims.map(BigInt), dataType: type });
  const values = Array.from(data);
  if (type === DataType.FLOAT) {
    if (raw) t.rawData = new Uint8Array(Float32Array.from(values).buffer);
    else t.floatData = values;
  } else if (type === DataType.INT64) {
    if (raw) t.rawData = new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer);
    else t.int64Data = values.map(BigInt);
  } else if (type === DataType.INT32) {
    t.int32Data = values;
  } else if (type === DataType.DOUBLE) {
    t.doubleData = values;
  } else {
    throw new Error(`test tensor(): no encoding for data type ${type}`);
  }
  return t;
}

/** An int64 tensor (shapes, axes, pads). */
export const ints64 = (name: string, values: readonly number[], dims: readonly number[] = [values.length]) => tensor(name, dims, values, DataType.INT64);

export type Attr =
  | { i: number }
  | { f: number }
  | { s: string }
  | { ints: number[] }
  | { floats: number[] }
  | { t: TensorProto };

function attribute(name: string, a: Attr): AttributeProto {
  if ('i' in a) return create(AttributeProtoSchema, { name, type: AttrType.INT, i: BigInt(a.i) });
  if ('f' in a) return create(AttributeProtoSchema, { name, type: AttrType.FLOAT, f: a.f });
  if ('s' in a) return create(AttributeProtoSchema, { name, type: AttrType.STRING, s: new TextEncoder().encode(a.s) });
  if ('ints' in a) return create(AttributeProtoSchema, { name, type: AttrType.INTS, ints: a.ints.map(BigInt) });
  if ('floats' in a) return create(AttributeProtoSchema, { name, type: AttrType.FLOATS, floats: a.floats });
  return create(AttributeProtoSchema, { name, type: AttrType.TENSOR, t: a.t });
}

/** A node; `name` defaults to the op type and first output. */
export function node(opType: string, inputs: readonly string[], outputs: readonly string[], attrs: Record<string, Attr> = {}, name?: string): NodeProto {
  return create(NodeProtoSchema, {
    opType,
    name: name ?? `${opType}_${outputs[0] ?? ''}`,
    input: [...inputs],
    output: [...outputs],
    attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
  });
}

/** A declared tensor value; a string dimension is a dim_param (dynamic). */
export function value(name: string, dims: readonly (number | string)[] | null, elemType: DataType = DataType.FLOAT): ValueInfoProto {
  const shape =
    dims === null
      ? undefined
      : create(TensorShapeProtoSchema, {
          dim: dims.map((d) =>
            create(TensorShapeProto_DimensionSchema, {
              value: typeof d === 'string' ? { case: 'dimParam', value: d } : { case: 'dimValue', value: BigInt(d) },
            }),
          ),
        });
  return create(ValueInfoProtoSchema, {
    name,
    type: create(TypeProtoSchema, { value: { case: 'tensorType', value: create(TypeProto_TensorSchema, { elemType, shape }) } }),
  });
}

export interface ModelSpec {
  inputs: ValueInfoProto[];
  outputs: ValueInfoProto[];
  nodes: NodeProto[];
  initializers?: TensorProto[];
  opset?: number;
}

/** The model message (to tamper with before encoding). */
export function modelProto(spec: ModelSpec): ModelProto {
  const graph: GraphProto = create(GraphProtoSchema, {
    name: 'test',
    node: spec.nodes,
    initializer: spec.initializers ?? [],
    input: spec.inputs,
    output: spec.outputs,
  });
  return create(ModelProtoSchema, {
    irVersion: 8n,
    producerName: 'sepconv-test',
    opsetImport: [create(OperatorSetIdProtoSchema, { domain: '', version: BigInt(spec.opset ?? 13) })],
    graph,
  });
}

export function encode(m: ModelProto): Uint8Array {
  return toBinary(ModelProtoSchema, m);
}

/** The bytes of an .onnx file. */
export function onnxModel(spec: ModelSpec): Uint8Array {
  return encode(modelProto(spec));
}
