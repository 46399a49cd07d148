// Decoding an .onnx file with ONNX's own schema (onnx.proto compiled by
// protoc-gen-es, package onnx-buf) and reading what the translation needs from
// it: tensors as typed arrays, attributes by name and type, declared shapes.

import { fromBinary } from '@bufbuild/protobuf';
import {
  AttributeProto_AttributeType as AttrType,
  ModelProtoSchema,
  TensorProto_DataLocation,
  TensorProto_DataType as DataType,
  type AttributeProto,
  type ModelProto,
  type TensorProto,
  type ValueInfoProto,
} from 'onnx-buf';
import { badModel } from './errors.js';

/**
 * A tensor known while translating: an initializer, a Constant, or the result
 * of folding one (Shape, Gather, ConstantOfShape...). Floats are kept as f32
 * (they become weights or constant values); integers (shapes, axes, indices)
 * as exact numbers, where {@link BATCH} stands for a dynamic batch size.
 */
export type ConstTensor =
  | { type: 'float'; dims: number[]; data: Float32Array }
  | { type: 'int'; dims: number[]; data: number[] };

/** In an integer constant, the model's batch size when it is dynamic (what Shape reports for a -1 dimension). */
export const BATCH = Number.NEGATIVE_INFINITY;

export const size = (dims: readonly number[]): number => dims.reduce((p, d) => p * d, 1);

/** Parses the bytes of an .onnx file. */
export function decodeModel(bytes: Uint8Array): ModelProto {
  try {
    return fromBinary(ModelProtoSchema, bytes);
  } catch (e) {
    throw badModel('file', `not a readable ONNX protobuf (${e instanceof Error ? e.message : String(e)}): truncated or not an .onnx file`);
  }
}

/** The name of an ONNX data type, for messages. */
export function dataTypeName(t: number): string {
  return (DataType as unknown as Record<number, string | undefined>)[t] ?? `data type ${t}`;
}

/** Bytes per element of the integer types read from raw_data, and how to read one. */
const INT_READERS: Partial<Record<number, [number, (v: DataView, at: number) => number]>> = {
  [DataType.INT64]: [8, (v, at) => Number(v.getBigInt64(at, true))],
  [DataType.UINT64]: [8, (v, at) => Number(v.getBigUint64(at, true))],
  [DataType.INT32]: [4, (v, at) => v.getInt32(at, true)],
  [DataType.UINT32]: [4, (v, at) => v.getUint32(at, true)],
  [DataType.INT16]: [2, (v, at) => v.getInt16(at, true)],
  [DataType.UINT16]: [2, (v, at) => v.getUint16(at, true)],
  [DataType.INT8]: [1, (v, at) => v.getInt8(at)],
  [DataType.UINT8]: [1, (v, at) => v.getUint8(at)],
  [DataType.BOOL]: [1, (v, at) => v.getUint8(at)],
};

/** IEEE half → float (the bits as stored in int32_data or raw_data). */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/**
 * The data of a tensor (an initializer, a Constant's value): checks that it is
 * stored in the file and holds exactly as many elements as its dims say.
 * `where` names it in errors.
 */
export function decodeTensor(t: TensorProto, where: string): ConstTensor {
  if (t.dataLocation === TensorProto_DataLocation.EXTERNAL || t.externalData.length > 0) {
    const file = t.externalData.find((e) => e.key === 'location')?.value;
    throw badModel(where, `its data is in an external file${file ? ` ('${file}')` : ''} (data_location EXTERNAL); sepconv reads self-contained .onnx files: save the model with its weights inside`);
  }
  const dims = t.dims.map(Number);
  if (dims.some((d) => !Number.isSafeInteger(d) || d < 0)) throw badModel(where, `dims [${dims.join(', ')}] are not sizes`);
  const count = size(dims);
  const raw = t.rawData.length > 0 ? new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength) : null;
  const holds = (n: number, unit: string) => {
    if (n !== count) throw badModel(where, `dims [${dims.join(', ')}] make ${count} elements but it holds ${n}${unit}`);
  };
  const fromRaw = (bytes: number, read: (v: DataView, at: number) => number): number[] => {
    const v = raw as DataView;
    holds(v.byteLength / bytes, ` (${v.byteLength} bytes of raw_data)`);
    const out = new Array<number>(count);
    for (let i = 0; i < count; i++) out[i] = read(v, i * bytes);
    return out;
  };
  switch (t.dataType) {
    case DataType.FLOAT: {
      if (raw) {
        holds(raw.byteLength / 4, ` (${raw.byteLength} bytes of raw_data)`);
        const data = new Float32Array(count);
        for (let i = 0; i < count; i++) data[i] = raw.getFloat32(i * 4, true);
        return { type: 'float', dims, data };
      }
      holds(t.floatData.length, '');
      return { type: 'float', dims, data: Float32Array.from(t.floatData) };
    }
    case DataType.DOUBLE:
      if (raw) return { type: 'float', dims, data: Float32Array.from(fromRaw(8, (v, at) => v.getFloat64(at, true))) };
      holds(t.doubleData.length, '');
      return { type: 'float', dims, data: Float32Array.from(t.doubleData) };
    case DataType.FLOAT16:
      if (raw) return { type: 'float', dims, data: Float32Array.from(fromRaw(2, (v, at) => halfToFloat(v.getUint16(at, true)))) };
      holds(t.int32Data.length, '');
      return { type: 'float', dims, data: Float32Array.from(t.int32Data, halfToFloat) };
    default: {
      const reader = INT_READERS[t.dataType];
      if (!reader) throw badModel(where, `element type ${dataTypeName(t.dataType)}, which sepconv does not read (float, double, float16 and integer tensors only)`);
      if (raw) return { type: 'int', dims, data: fromRaw(...reader) };
      const list: readonly (number | bigint)[] =
        t.dataType === DataType.INT64 ? t.int64Data : t.dataType === DataType.UINT64 || t.dataType === DataType.UINT32 ? t.uint64Data : t.int32Data;
      holds(list.length, '');
      return { type: 'int', dims, data: list.map(Number) };
    }
  }
}

/** The attributes of one node, read by name with their declared type checked. */
export class Attributes {
  private readonly byName = new Map<string, AttributeProto>();

  constructor(
    list: readonly AttributeProto[],
    private readonly where: string,
  ) {
    for (const a of list) this.byName.set(a.name, a);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  private get(name: string, type: AttrType): AttributeProto | undefined {
    const a = this.byName.get(name);
    // Files written before IR version 3 may leave the type UNDEFINED; the field that is set still holds the value.
    if (a !== undefined && a.type !== type && a.type !== AttrType.UNDEFINED) {
      throw badModel(this.where, `attribute '${name}' is ${AttrType[a.type] ?? a.type}, expected ${AttrType[type]}`);
    }
    return a;
  }

  int(name: string, fallback: number): number {
    const a = this.get(name, AttrType.INT);
    return a === undefined ? fallback : Number(a.i);
  }

  ints(name: string, fallback: readonly number[]): number[];
  ints(name: string, fallback: null): number[] | null;
  ints(name: string, fallback: readonly number[] | null): number[] | null {
    const a = this.get(name, AttrType.INTS);
    return a === undefined ? (fallback === null ? null : [...fallback]) : a.ints.map(Number);
  }

  float(name: string, fallback: number): number {
    const a = this.get(name, AttrType.FLOAT);
    return a === undefined ? fallback : a.f;
  }

  floats(name: string): number[] | null {
    const a = this.get(name, AttrType.FLOATS);
    return a === undefined ? null : [...a.floats];
  }

  string(name: string, fallback: string): string {
    const a = this.get(name, AttrType.STRING);
    return a === undefined ? fallback : new TextDecoder().decode(a.s);
  }

  tensor(name: string): TensorProto | null {
    const a = this.get(name, AttrType.TENSOR);
    if (a === undefined) return null;
    if (a.t === undefined) throw badModel(this.where, `attribute '${name}' holds no tensor`);
    return a.t;
  }

  /** Names of the attributes present, for messages. */
  names(): string[] {
    return [...this.byName.keys()];
  }
}

/**
 * The declared shape of a graph input or output: a dynamic dimension (dim_param,
 * 0, -1 or unset) is -1. Null when the file declares no shape.
 */
export function declaredShape(v: ValueInfoProto): { elemType: number; dims: number[] | null } | null {
  const t = v.type?.value;
  if (t === undefined || t.case !== 'tensorType') return null;
  const shape = t.value.shape;
  if (shape === undefined) return { elemType: t.value.elemType, dims: null };
  return {
    elemType: t.value.elemType,
    dims: shape.dim.map((d) => (d.value.case === 'dimValue' && d.value.value > 0n ? Number(d.value.value) : -1)),
  };
}
