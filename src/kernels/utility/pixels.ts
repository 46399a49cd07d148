// Pixels to a tensor (shaders/pixels.wgsl, Engine.fromPixels): one invocation per
// output element, bilinear sampling of RGBA8 pixels packed in u32, normalised.

import pixelsWgsl from '../../../shaders/pixels.wgsl?raw';
import type { PixelsParams } from '../../backend.js';
import { UniformSchema } from '../../gpu/uniforms.js';
import { flatWorkgroups } from '../descriptor.js';
import { singleInputKernel } from './single-input.js';

const params = new UniformSchema('PixelsParams', [
  ...(['srcW', 'srcH', 'rowStride', 'outW', 'outH', 'channels', 'nchw', 'bands'] as const).map((f) => [f, 'u32'] as const),
  ...(['cropX', 'cropY', 'stepX', 'stepY', 'scale', 'mean0', 'mean1', 'mean2', 'mean3', 'std0', 'std1', 'std2', 'std3'] as const).map((f) => [f, 'f32'] as const),
]);

export const pixels = singleInputKernel({
  kernel: 'pixels',
  name: 'bilinear',
  summary: 'one invocation per output element: bilinear sample, scale, normalise',
  uniforms: params,
  file: 'pixels.wgsl',
  wgsl: pixelsWgsl,
  xType: 'u32',
  flat: true,
  dispatch(p: PixelsParams) {
    const [mean0, mean1, mean2, mean3] = p.mean as [number, number, number, number];
    const [std0, std1, std2, std3] = p.std as [number, number, number, number];
    const { srcW, srcH, rowStride, outW, outH, channels, cropX, cropY, stepX, stepY, scale } = p;
    return {
      uniforms: { srcW, srcH, rowStride, outW, outH, channels, nchw: p.nchw ? 1 : 0, bands: p.bands ? 1 : 0, cropX, cropY, stepX, stepY, scale, mean0, mean1, mean2, mean3, std0, std1, std2, std3 },
      workgroups: flatWorkgroups(outH * outW * channels),
    };
  },
});
