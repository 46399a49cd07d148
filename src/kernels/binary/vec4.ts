// Elementwise binary op whose output's last dimension is a multiple of 4
// (shaders/binary_vec4.wgsl): 4 elements of it per invocation. An operand with
// the full last dimension is bound as vec4s; one broadcast along it (last
// dimension 1: NCHW per-channel scales [N, C, 1, 1], per-pixel values
// [N, H, W, 1]) as f32s, each value splatted. NHWC squeeze-excite scaling
// ([N, H, W, C] · [N, 1, 1, C]) and residual adds take the vec4 path on both.

import mainWgsl from '../../../shaders/binary_vec4.wgsl?raw';
import type { BinaryParams } from '../../backend.js';
import { kernelVariant, type Call } from '../descriptor.js';
import { activation, flatGrid } from '../fragments.js';
import { assembleKernel, fragment, ioBindings, type AssembledKernel } from '../wgsl.js';
import { binaryConstants, binaryDispatch, binaryIndex, binaryOp, binaryParams, splatsLast } from './broadcast.js';

/** `load<Name>(i)`: item i of an operand's binding as a vec4, read whole or splatted from one value. */
function loader(name: 'A' | 'B', binding: 'x' | 'b', splat: boolean) {
  const text = `fn load${name}(i: u32) -> vec4f {\n  return ${splat ? `vec4f(${binding}[i])` : `${binding}[i]`};\n}\n`;
  return fragment(`binary load${name} (${splat ? 'splat' : 'vec4'})`, text, { provides: [`load${name}`], needs: [binding] });
}

const main = fragment('binary_vec4.wgsl', mainWgsl, { provides: ['run'], needs: ['y', 'operandIndices', 'loadA', 'loadB', 'combine4', 'activate4'] });

function shaderFor(aSplat: boolean, bSplat: boolean): AssembledKernel {
  const suffix = aSplat ? '_splat_a' : bSplat ? '_splat_b' : '';
  return assembleKernel({
    name: `binary_vec4${suffix}`,
    uniforms: binaryParams,
    bindings: ioBindings({ x: aSplat ? 'f32' : 'vec4f', b: bSplat ? 'f32' : 'vec4f', output: 'vec4f' }, { x: 'a' }),
    fragments: [activation, flatGrid, binaryOp, binaryIndex, loader('A', 'x', aSplat), loader('B', 'b', bSplat), main],
  });
}

// Both operands splatted would mean an output whose last dimension is 1: not a vec4 case.
const shaders = { both: shaderFor(false, false), splatA: shaderFor(true, false), splatB: shaderFor(false, true) };

function pick(c: Call<BinaryParams>): AssembledKernel {
  const p = c.params;
  return splatsLast(p.aShape, p.outShape) ? shaders.splatA : splatsLast(p.bShape, p.outShape) ? shaders.splatB : shaders.both;
}

export const binaryVec4 = kernelVariant<BinaryParams, 'vec4'>({
  name: 'vec4',
  summary: "last dimension divisible by 4: 4 elements per invocation, vec4 loads (an operand broadcast along it splatted)",
  tunables: {},
  // By the broadcasting rule each operand's last dimension is the output's or 1.
  supports: ({ params: p }) => (p.outShape.at(-1) as number) % 4 === 0,
  shaders: [shaders.both, shaders.splatA, shaders.splatB],
  shader: pick,
  constants: binaryConstants,
  dispatches: ({ params }) => [binaryDispatch(params, 4)],
});
