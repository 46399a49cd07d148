// Layout conversions for tests, written independently of src/ (plain index maps).

/** [N, H, W, C] → [N, C, H, W] */
export function nhwcToNchw(x: Float32Array, [n, h, w, c]: readonly number[]): Float32Array {
  const out = new Float32Array(x.length);
  for (let a = 0; a < n!; a++)
    for (let y = 0; y < h!; y++)
      for (let z = 0; z < w!; z++)
        for (let k = 0; k < c!; k++) out[((a * c! + k) * h! + y) * w! + z] = x[((a * h! + y) * w! + z) * c! + k]!;
  return out;
}

/** [N, C, H, W] → [N, H, W, C] */
export function nchwToNhwc(x: Float32Array, [n, c, h, w]: readonly number[]): Float32Array {
  const out = new Float32Array(x.length);
  for (let a = 0; a < n!; a++)
    for (let k = 0; k < c!; k++)
      for (let y = 0; y < h!; y++)
        for (let z = 0; z < w!; z++) out[((a * h! + y) * w! + z) * c! + k] = x[((a * c! + k) * h! + y) * w! + z]!;
  return out;
}

/** HWIO [kh, kw, I, O] → OIHW [O, I, kh, kw] */
export function hwioToOihw(f: Float32Array, [kh, kw, i, o]: readonly number[]): Float32Array {
  const out = new Float32Array(f.length);
  for (let y = 0; y < kh!; y++)
    for (let z = 0; z < kw!; z++)
      for (let a = 0; a < i!; a++)
        for (let b = 0; b < o!; b++) out[((b * i! + a) * kh! + y) * kw! + z] = f[((y * kw! + z) * i! + a) * o! + b]!;
  return out;
}
