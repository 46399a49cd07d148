// The weights of a layers model: the manifest entries (name, shape, dtype,
// optional quantization) and the bytes they index, decoded into float32
// arrays by name. The format is tfjs-core's (tfjs-core/src/io/types.ts,
// io_utils.ts decodeWeights): entries lie back to back in the concatenated
// shards, in manifest order, little-endian.
//
// Quantized weights are dequantized here, as tf.loadLayersModel does:
// uint8/uint16 with `{ min, scale }` → q·scale + min; float16 → float32.
// Other dtypes (int32, bool, string, complex64) are not weights of the layers
// sepconv runs and are BAD_MODEL.

import { badModel } from './errors.js';

/** One entry of a weights manifest (tf.io.WeightsManifestEntry). */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; min?: number; scale?: number };
}

/** The weight bytes: one buffer, or the shards in manifest order (tf.io.WeightData). */
export type WeightData = ArrayBuffer | ArrayBuffer[] | ArrayBufferView;

/** A decoded weight. */
export interface Weight {
  name: string;
  shape: number[];
  data: Float32Array;
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks that `specs` is a list of manifest entries. */
export function checkWeightSpecs(specs: unknown, where: string): WeightSpec[] {
  if (!Array.isArray(specs)) throw badModel(where, 'the weight specs are not a list', 'a list of { name, shape, dtype }', typeof specs);
  specs.forEach((s, i) => {
    const at = `${where}[${i}]`;
    if (!isRecord(s) || typeof s.name !== 'string') throw badModel(at, 'a weight spec without a name', 'a { name, shape, dtype } entry');
    if (!Array.isArray(s.shape) || !s.shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) {
      throw badModel(`weight '${s.name}'`, `its shape ${JSON.stringify(s.shape)} is not a list of sizes`, 'non-negative integers');
    }
    if (typeof s.dtype !== 'string') throw badModel(`weight '${s.name}'`, 'it has no dtype', "a dtype such as 'float32'");
    const q = s.quantization;
    if (q !== undefined && q !== null && (!isRecord(q) || typeof q.dtype !== 'string')) {
      throw badModel(`weight '${s.name}'`, 'its quantization has no dtype', "quantization { dtype: 'uint8' | 'uint16' | 'float16', min, scale }");
    }
  });
  return specs as WeightSpec[];
}

/** Bytes a weight takes in the shards. */
export function weightBytes(spec: WeightSpec): number {
  const dtype = spec.quantization ? spec.quantization.dtype : spec.dtype;
  const per = BYTES[dtype];
  if (per === undefined || (!spec.quantization && dtype !== 'float32') || (spec.quantization && dtype === 'int32')) {
    const given = spec.quantization ? `quantization dtype '${dtype}'` : `dtype '${dtype}'`;
    throw badModel(
      `weight '${spec.name}'`,
      `${given} is not a weight format sepconv reads (float32, or quantized uint8/uint16/float16)`,
      'float32, or quantization uint8/uint16/float16',
      given,
    );
  }
  return per * spec.shape.reduce((p, d) => p * d, 1);
}

/** One ArrayBuffer holding the shards back to back. */
export function concatWeightData(data: WeightData): ArrayBuffer {
  if (data instanceof ArrayBuffer) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice().buffer;
  if (!Array.isArray(data) || !data.every((d) => d instanceof ArrayBuffer)) {
    throw badModel('weightData', 'the weight data is neither an ArrayBuffer nor a list of them', 'ArrayBuffer | ArrayBuffer[]');
  }
  const out = new Uint8Array(data.reduce((n, d) => n + d.byteLength, 0));
  let at = 0;
  for (const d of data) {
    out.set(new Uint8Array(d), at);
    at += d.byteLength;
  }
  return out.buffer;
}

/** IEEE 754 half → number (tfjs-core io_utils.ts getFloat16Decoder does the same by tables). */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

function decodeOne(spec: WeightSpec, bytes: ArrayBuffer, offset: number, byteLength: number): Float32Array {
  const n = byteLength / (BYTES[spec.quantization?.dtype ?? spec.dtype] as number);
  const view = new DataView(bytes, offset, byteLength);
  const q = spec.quantization;
  if (!q) return new Float32Array(bytes.slice(offset, offset + byteLength));
  const out = new Float32Array(n);
  if (q.dtype === 'float16') {
    for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
    return out;
  }
  const { min, scale } = q;
  if (typeof min !== 'number' || typeof scale !== 'number' || !Number.isFinite(min) || !Number.isFinite(scale)) {
    throw badModel(`weight '${spec.name}'`, `its ${q.dtype} quantization has no finite min and scale`, 'quantization { dtype, min, scale }');
  }
  for (let i = 0; i < n; i++) out[i] = (q.dtype === 'uint8' ? view.getUint8(i) : view.getUint16(2 * i, true)) * scale + min;
  return out;
}

/**
 * Decodes every weight of the manifest from `data` (the shards, concatenated).
 * BAD_MODEL when the data is shorter than the manifest says, when it is longer
 * (the manifest and the shards do not belong together), or a name repeats.
 */
export function decodeWeights(specs: readonly WeightSpec[], data: WeightData | undefined): Map<string, Weight> {
  const bytes = data === undefined ? new ArrayBuffer(0) : concatWeightData(data);
  const out = new Map<string, Weight>();
  let offset = 0;
  for (const spec of specs) {
    const size = weightBytes(spec);
    if (offset + size > bytes.byteLength) {
      throw badModel(
        `weight '${spec.name}'`,
        `the weight data ends at byte ${bytes.byteLength}, but this weight (${size} bytes) starts at byte ${offset}: ` +
          `the manifest needs ${specs.reduce((n, s) => n + weightBytes(s), 0)} bytes (a shard is missing or truncated)`,
        `${specs.reduce((n, s) => n + weightBytes(s), 0)} bytes of weight data`,
        `${bytes.byteLength} bytes`,
      );
    }
    if (out.has(spec.name)) throw badModel(`weight '${spec.name}'`, 'the manifest lists this name twice', 'unique weight names');
    out.set(spec.name, { name: spec.name, shape: [...spec.shape], data: decodeOne(spec, bytes, offset, size) });
    offset += size;
  }
  if (offset !== bytes.byteLength) {
    throw badModel(
      'weightData',
      `the weight data has ${bytes.byteLength} bytes but the manifest describes ${offset}: they do not belong together`,
      `${offset} bytes`,
      `${bytes.byteLength} bytes`,
    );
  }
  return out;
}
