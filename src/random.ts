// The one seeded random generator of the project: the model's initial weights
// (model/sequential.ts), the benchmark's case data (bench/lib/cases.ts), the demo's
// filters and the tests' inputs all come from it. Not part of the public API.
// Tests and benchmark results depend on the exact values: do not change the sequence.

/**
 * A mulberry32 generator: each call returns the next value in [0, 1), a multiple
 * of 2^-32. The same seed (taken as an unsigned 32-bit integer) gives the same sequence.
 */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `length` deterministic values, uniform in [-1, 1): the first `length` values
 * of {@link mulberry32}(seed), each mapped to 2u − 1 (exact in f64, then rounded to f32).
 */
export function seededUniform(length: number, seed: number): Float32Array {
  const next = mulberry32(seed);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = next() * 2 - 1;
  return out;
}
