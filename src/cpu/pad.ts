import type { PadParams } from '../backend.js';

/**
 * Reference constant padding: output dimension d is inShape[d] + pads[d] + pads[rank + d];
 * the output is `value` everywhere but the block at offsets pads[0…rank−1], which is
 * the input. Copies one input row (last dimension) at a time.
 */
export function padCpu(x: Float32Array, p: PadParams, out?: Float32Array): Float32Array {
  const { inShape, pads } = p;
  const rank = inShape.length;
  const outShape = inShape.map((d, i) => d + (pads[i] as number) + (pads[rank + i] as number));
  const outStrides = new Array<number>(rank).fill(1);
  for (let d = rank - 2; d >= 0; d--) outStrides[d] = (outStrides[d + 1] as number) * (outShape[d + 1] as number);
  const y = (out ?? new Float32Array(outShape.reduce((a, b) => a * b, 1))).fill(p.value);
  const rowLength = inShape[rank - 1] as number;
  const rows = x.length / rowLength;
  const idx = new Array<number>(rank - 1).fill(0); // input row's index over the leading dimensions
  for (let r = 0; r < rows; r++) {
    let at = pads[rank - 1] as number;
    for (let d = 0; d < rank - 1; d++) at += ((idx[d] as number) + (pads[d] as number)) * (outStrides[d] as number);
    // Short rows (a channel pad of NHWC: one pixel per row) by hand: a subarray per row costs more than its copy.
    if (rowLength < 64) for (let i = 0, from = r * rowLength; i < rowLength; i++) y[at + i] = x[from + i] as number;
    else y.set(x.subarray(r * rowLength, (r + 1) * rowLength), at);
    for (let d = rank - 2; d >= 0; d--) {
      idx[d] = (idx[d] as number) + 1;
      if ((idx[d] as number) < (inShape[d] as number)) break;
      idx[d] = 0;
    }
  }
  return y;
}
