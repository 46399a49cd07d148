// Kernels as data, without a GPU: the WGSL assembler's contract checks, the
// registry's derived option check, and the choice rules (forced > tuned > cost model).
import { describe, expect, test } from 'vitest';
import { ACTIVATIONS } from '../../src/activation.js';
import type { BinaryParams, DepthwiseConv2dParams, PointwiseConv2dParams } from '../../src/backend.js';
import { UniformSchema } from '../../src/gpu/uniforms.js';
import type { AdapterTraits, Call } from '../../src/kernels/descriptor.js';
import { activation, activationConstant } from '../../src/kernels/fragments.js';
import {
  CHOOSABLE_OPS,
  checkKernelChoice,
  chooseKernel,
  kernelChoiceFor,
  REGISTRY,
  supportedVariants,
  tuningCandidates,
  variantsOf,
} from '../../src/kernels/registry.js';
import { assembleKernel, fragment, type Binding } from '../../src/kernels/wgsl.js';

const software: AdapterTraits = { cpuBased: true };
const gpu: AdapterTraits = { cpuBased: false };

const geometry = {
  batch: 1, inH: 56, inW: 56, kH: 3, kW: 3, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1,
  pad: { top: 1, bottom: 1, left: 1, right: 1 }, outH: 56, outW: 56,
};
const linear = { activation: 'linear' as const, alpha: 0, beta: 0 };
const dw = (p: Partial<DepthwiseConv2dParams> = {}): Call<DepthwiseConv2dParams> => ({
  params: { ...geometry, channels: 32, multiplier: 1, act: linear, ...p },
  bias: false,
  residual: false,
  depthwiseBias: false,
});
const pw = (p: Partial<PointwiseConv2dParams> = {}, residual = false): Call<PointwiseConv2dParams> => ({
  params: { pixels: 3136, inChannels: 24, outChannels: 144, act: linear, ...p },
  bias: true,
  residual,
  depthwiseBias: false,
});

describe('the WGSL assembler checks fragment contracts', () => {
  const schema = new UniformSchema('P', [['n', 'u32']] as const);
  const bindings: Binding[] = [
    { name: 'x', input: 'x', type: 'f32' },
    { name: 'y', input: 'output', type: 'f32' },
  ];
  const main = fragment('main.wgsl', '@compute @workgroup_size(1) fn main() { y[0] = helper(x[params.n]); }', { provides: ['main'], needs: ['helper', 'x', 'y'] });
  const helper = fragment('helper.wgsl', 'fn helper(v: f32) -> f32 { return v; }', { provides: ['helper'] });

  test('a kernel whose contracts hold assembles, with generated uniform and binding declarations', () => {
    const k = assembleKernel({ name: 'k', uniforms: schema, bindings, fragments: [helper, main] });
    expect(k.source).toContain('@group(0) @binding(0) var<uniform> params: P;');
    expect(k.source).toContain('@group(0) @binding(1) var<storage, read> x: array<f32>;');
    expect(k.source).toContain('@group(0) @binding(2) var<storage, read_write> y: array<f32>;');
    expect(k.bindings).toEqual(['uniform', 'read', 'write']);
  });
  test('an unmet need, an unknown params field, a name provided twice, a misplaced output: errors that name them', () => {
    expect(() => assembleKernel({ name: 'k', uniforms: schema, bindings, fragments: [main] })).toThrow(/kernel k: main.wgsl needs 'helper', which no fragment or binding provides/);
    const typo = fragment('typo.wgsl', 'fn helper(v: f32) -> f32 { return v * f32(params.m); }', { provides: ['helper'] });
    expect(() => assembleKernel({ name: 'k', uniforms: schema, bindings, fragments: [typo, main] })).toThrow(/typo.wgsl reads params.m, which P does not have/);
    expect(() => assembleKernel({ name: 'k', uniforms: schema, bindings, fragments: [helper, helper, main] })).toThrow(/'helper' is provided by both helper.wgsl and helper.wgsl/);
    expect(() => assembleKernel({ name: 'k', uniforms: schema, bindings: [...bindings].reverse(), fragments: [helper, main] })).toThrow(/one output binding, the last/);
  });
  test('a fragment must declare what it says it provides', () => {
    expect(() => fragment('f.wgsl', 'fn other() {}', { provides: ['helper'] })).toThrow(/f.wgsl says it provides 'helper' but does not declare it/);
  });
  test('activation ids are generated from the TS list', () => {
    ACTIVATIONS.forEach((a, i) => expect(activation.text).toContain(`const ${activationConstant(a)}: u32 = ${i}u;`));
    expect(activationConstant('leakyRelu')).toBe('ACT_LEAKY_RELU');
  });
  test('every registered kernel binds what its fragments read, output last', () => {
    for (const op of CHOOSABLE_OPS) {
      for (const v of variantsOf(op)) {
        if (v.kind !== 'kernel') continue;
        for (const s of v.shaders) {
          expect(s.inputs.at(-1)?.input, `${op} ${v.name}`).toBe('output');
          s.inputs.forEach((b, i) => expect(s.source).toContain(`@binding(${i + 1}) var<storage, ${b.input === 'output' ? 'read_write' : 'read'}> ${b.name}: array<${b.type}>;`));
        }
      }
    }
  });
});

describe('the registry derives the kernels option check', () => {
  test('variants and tunables come from the descriptors', () => {
    expect(() => checkKernelChoice('createEngine', { depthwise: '3x3', depthwiseStripRows: 4, pointwise: 'tiled', pointwiseTileN: 64 })).not.toThrow();
    const names = REGISTRY.depthwise.map((v) => `'${v.name}'`).join(', ');
    expect(() => checkKernelChoice('createEngine', { depthwise: '7x7' })).toThrow(`expected 'auto', ${names}, got '7x7'`);
    expect(() => checkKernelChoice('createEngine', { depthwiseStripRows: 0 })).toThrow(/'options.kernels.depthwiseStripRows': expected an integer from 1 to 64, got 0/);
    expect(() => checkKernelChoice('createEngine', { pointwiseTileN: 12 })).toThrow(/'options.kernels.pointwiseTileN': expected a power of two from 4 to 64, got 12/);
    expect(() => checkKernelChoice('createEngine', { pointwize: 'tiled' })).toThrow(
      /'options.kernels.pointwize': expected one of the keys depthwise, pointwise, conv2d, separable, (\w+, )*depthwiseStripRows, pointwiseTileN, conv2dTileN, separableTileN/,
    );
  });
  test('kernelChoiceFor turns a measured candidate into the option that forces it', () => {
    expect(kernelChoiceFor('depthwise batch=1', { variant: '3x3', tunables: { stripRows: 4 } })).toEqual({ depthwise: '3x3', depthwiseStripRows: 4 });
    expect(() => kernelChoiceFor('depthwise batch=1', { variant: 'nope', tunables: {} })).toThrow(/a variant of depthwise/);
  });
});

describe('choosing a kernel: forced, then tuned, then the cost model', () => {
  test('the cost model ranks by adapter: no workgroup memory on software adapters, tiles on GPUs', () => {
    expect(supportedVariants('pointwise', pw(), software).map((v) => v.name)).toEqual(['direct8', 'direct', 'conv8', 'scalar', 'tiled']);
    expect(supportedVariants('pointwise', pw(), gpu).map((v) => v.name)).toEqual(['tiled', 'direct', 'direct8', 'conv8', 'scalar']);
    // conv8 has no residual binding; K = 3 rules out the direct kernels.
    expect(supportedVariants('pointwise', pw({ inChannels: 3 }, true), software).map((v) => v.name)).toEqual(['scalar', 'tiled']);
    expect(supportedVariants('depthwise', dw({ channels: 3 }), software).map((v) => v.name)).toEqual(['scalar']);
    expect(supportedVariants('depthwise', dw({ kH: 5, kW: 5 }), software).map((v) => v.name)).toEqual(['5x5', 'vec4', 'scalar']);
  });
  test('binary ops: the vec4 kernel when the last dimension is a multiple of 4, an operand broadcast along it splatted', () => {
    const binary = (aShape: number[], bShape: number[], outShape: number[]): Call<BinaryParams> => ({
      params: { kind: 'mul', aShape, bShape, outShape, act: linear },
      bias: false,
      residual: false,
      depthwiseBias: false,
    });
    const se = binary([1, 7, 7, 8], [1, 1, 1, 8], [1, 7, 7, 8]);
    expect(supportedVariants('binary', se, software).map((v) => v.name)).toEqual(['vec4', 'scalar']);
    expect(supportedVariants('binary', binary([1, 7, 7, 6], [1, 1, 1, 6], [1, 7, 7, 6]), gpu).map((v) => v.name)).toEqual(['scalar']);
    const vec4 = REGISTRY.binary[0];
    const bindings = (c: Call<BinaryParams>) => vec4.shader(c).inputs.map((b) => `${b.name}: ${b.type}`);
    expect(bindings(se)).toEqual(['x: vec4f', 'b: vec4f', 'y: vec4f']);
    // NCHW squeeze-excite: [N, C, H, W] · [N, C, 1, 1].
    expect(bindings(binary([2, 3, 5, 8], [2, 3, 1, 1], [2, 3, 5, 8]))).toEqual(['x: vec4f', 'b: f32', 'y: vec4f']);
    expect(bindings(binary([2, 3, 5, 1], [1, 1, 1, 4], [2, 3, 5, 4]))).toEqual(['x: f32', 'b: vec4f', 'y: vec4f']);
  });
  test('pooling: the vec4 kernel for C divisible by 4, else the scalar one; a forced vec4 falls back', () => {
    const pool = (channels: number) => ({
      params: { ...geometry, channels, kind: 'max' as const, countIncludePad: false },
      bias: false,
      residual: false,
      depthwiseBias: false,
    });
    expect(supportedVariants('pool', pool(8), software).map((v) => v.name)).toEqual(['vec4', 'scalar']);
    expect(supportedVariants('pool', pool(6), gpu).map((v) => v.name)).toEqual(['scalar']);
    expect(chooseKernel('pool', pool(6), software, { pool: 'vec4' }, undefined).variant.name).toBe('scalar');
  });
  test('forced beats tuned beats the cost model; an unsupported forced variant falls back', () => {
    const tuned = { variant: 'vec4', tunables: {} };
    expect(chooseKernel('depthwise', dw(), software, {}, undefined).variant.name).toBe('3x3');
    expect(chooseKernel('depthwise', dw(), software, {}, tuned).variant.name).toBe('vec4');
    expect(chooseKernel('depthwise', dw(), software, { depthwise: 'scalar' }, tuned).variant.name).toBe('scalar');
    expect(chooseKernel('depthwise', dw({ channels: 3 }), software, { depthwise: '3x3' }, undefined).variant.name).toBe('scalar');
  });
  test('tunables: forced, else tuned (for the tuned variant only), else the cost model', () => {
    expect(chooseKernel('depthwise', dw(), software, {}, undefined).tunables).toEqual({ stripRows: 16 });
    expect(chooseKernel('depthwise', dw(), software, {}, { variant: '3x3', tunables: { stripRows: 2 } }).tunables).toEqual({ stripRows: 2 });
    expect(chooseKernel('depthwise', dw(), software, { depthwiseStripRows: 5 }, { variant: '3x3', tunables: { stripRows: 2 } }).tunables).toEqual({ stripRows: 5 });
    // A tuned value of another variant does not carry over.
    expect(chooseKernel('depthwise', dw(), software, { depthwise: '3x3' }, { variant: 'vec4', tunables: {} }).tunables).toEqual({ stripRows: 16 });
  });
  test("the tuner's candidates: the cost model's choice first, every variant's default next, forced choices kept", () => {
    const c = tuningCandidates('depthwise', dw(), software, {});
    const auto = chooseKernel('depthwise', dw(), software, {}, undefined);
    expect(c[0]).toEqual({ variant: auto.variant, tunables: auto.tunables });
    expect(c.slice(0, 3).map((k) => k.variant.name)).toEqual(['3x3', 'vec4', 'scalar']);
    expect(c.filter((k) => k.variant.name === '3x3').map((k) => k.tunables.stripRows)).toEqual([16, 8, 32, 4, 2, 1]);
    expect(new Set(c.map((k) => JSON.stringify([k.variant.name, k.tunables]))).size).toBe(c.length);
    const forced = tuningCandidates('depthwise', dw(), software, { depthwise: '3x3' });
    expect(forced.every((k) => k.variant.name === '3x3')).toBe(true);
    expect(tuningCandidates('depthwise', dw(), software, { depthwiseStripRows: 4 }).filter((k) => k.variant.name === '3x3')).toHaveLength(1);
    // A short output needs no strips taller than itself.
    expect(tuningCandidates('depthwise', dw({ outH: 7, inH: 7 }), software, { depthwise: '3x3' }).map((k) => k.tunables.stripRows)).toEqual([16, 8, 4, 2, 1]);
  });
});
