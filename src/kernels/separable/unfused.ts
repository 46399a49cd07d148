// The separable convolution as its definition: the depthwise op (its bias, no
// activation) into an intermediate tensor, then the pointwise op (bias,
// activation), each on its own chosen kernel. The choice on software adapters,
// and on GPUs where fusing would recompute too much (separable/fused.ts).

import type { SeparableConv2dParams, Storage } from '../../backend.js';
import { separableSteps, separableUnfused as runUnfused } from '../../ops.js';
import type { CompositeVariant } from '../descriptor.js';

export const separableUnfused: CompositeVariant<SeparableConv2dParams, 'unfused'> = {
  kind: 'composite',
  name: 'unfused',
  summary: 'depthwise, then pointwise, each on its own kernel, through an intermediate tensor',
  tunables: {},
  supports: () => true,
  run: (be, i, c, extras) =>
    runUnfused(be, i.x, { depthwiseFilter: i.depthwiseFilter as Storage, depthwiseBias: i.depthwiseBias ?? null, pointwiseFilter: i.filter as Storage, bias: i.bias ?? null }, c.params, extras),
  parts(c) {
    const { depthwise, pointwise } = separableSteps(c.params);
    return [
      { op: 'depthwise', call: { params: depthwise, bias: c.depthwiseBias, residual: false, depthwiseBias: false } },
      { op: 'pointwise', call: { params: pointwise, bias: c.bias, residual: false, depthwiseBias: false } },
    ];
  },
};
