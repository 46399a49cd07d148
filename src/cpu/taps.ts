// Which kernel taps of a convolution read inside the input, worked out once per call
// so that the hot loops neither test bounds per tap nor touch padding.

/**
 * Along one axis, output position o reads input coordinate o·stride − padBefore + t·dilation
 * with tap t < k. That coordinate grows with t, so the taps inside [0, inSize) form one
 * contiguous range [lo, hi); the others read padding (zeros) and are skipped, exactly as
 * the definition's "x = 0 outside the input" allows: they add nothing, and skipping them
 * (rather than multiplying by 0) keeps a NaN or ±Inf weight on a padding tap from
 * leaking into the output.
 *
 * Returns [lo_0, hi_0, lo_1, hi_1, …] for o < outSize; lo = hi when every tap is padding.
 */
export function tapRanges(
  outSize: number,
  inSize: number,
  k: number,
  stride: number,
  dilation: number,
  padBefore: number,
): Int32Array {
  const r = new Int32Array(2 * outSize);
  for (let o = 0; o < outSize; o++) {
    const start = o * stride - padBefore; // input coordinate of tap 0
    let lo = 0;
    while (lo < k && start + lo * dilation < 0) lo++;
    let hi = k;
    while (hi > lo && start + (hi - 1) * dilation >= inSize) hi--;
    r[2 * o] = lo;
    r[2 * o + 1] = hi;
  }
  return r;
}

/**
 * Whether output columns ox … ox + count − 1 all exist and read the same horizontal taps,
 * so one register tile can run them through a single pair of tap loops.
 */
export function sameTaps(cols: Int32Array, outW: number, ox: number, count: number): boolean {
  if (ox + count > outW) return false;
  const lo = cols[2 * ox];
  const hi = cols[2 * ox + 1];
  for (let q = 1; q < count; q++) {
    if (cols[2 * (ox + q)] !== lo || cols[2 * (ox + q) + 1] !== hi) return false;
  }
  return true;
}
