// torch.nn.functional.conv2d written from PyTorch's documented definition, NCHW
// input and OIHW weight [Cout, Cin/groups, kh, kw]:
//   out[n, o, y, x] = bias[o] + Σ_{ci < Cin/g, i, j} w[o, ci, i, j] ·
//                     in[n, g·Cin/g + ci, y·sh − ph + i·dh, x·sw − pw + j·dw],  g = o / (Cout/groups)
// with symmetric zero padding (ph, pw). Used to check that PyTorch weights port unchanged.
export interface TorchConv {
  x: Float32Array;
  xShape: [number, number, number, number]; // N, C, H, W
  w: Float32Array;
  wShape: [number, number, number, number]; // O, I/g, kh, kw
  bias: Float32Array | null;
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  groups: number;
}

export function torchConv2d(c: TorchConv): { data: Float32Array; shape: [number, number, number, number] } {
  const [n, cin, h, w] = c.xShape;
  const [cout, cig, kh, kw] = c.wShape;
  const oh = Math.floor((h + 2 * c.padding[0] - c.dilation[0] * (kh - 1) - 1) / c.stride[0]) + 1;
  const ow = Math.floor((w + 2 * c.padding[1] - c.dilation[1] * (kw - 1) - 1) / c.stride[1]) + 1;
  const og = cout / c.groups;
  const out = new Float32Array(n * cout * oh * ow);
  for (let b = 0; b < n; b++)
    for (let o = 0; o < cout; o++) {
      const g = Math.floor(o / og);
      for (let y = 0; y < oh; y++)
        for (let x = 0; x < ow; x++) {
          let acc = c.bias ? (c.bias[o] as number) : 0;
          for (let ci = 0; ci < cig; ci++)
            for (let i = 0; i < kh; i++)
              for (let j = 0; j < kw; j++) {
                const iy = y * c.stride[0] - c.padding[0] + i * c.dilation[0];
                const ix = x * c.stride[1] - c.padding[1] + j * c.dilation[1];
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                acc += (c.w[((o * cig + ci) * kh + i) * kw + j] as number) * (c.x[((b * cin + g * cig + ci) * h + iy) * w + ix] as number);
              }
          out[((b * cout + o) * oh + y) * ow + x] = acc;
        }
    }
  return { data: out, shape: [n, cout, oh, ow] };
}
