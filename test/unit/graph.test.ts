// The graph IR without a backend: shape rules, each pass alone, the layout
// assignment of the lowering (permutes only at the edges), and the memory plan.
import { describe, expect, test } from 'vitest';
import type { ActivationSpec } from '../../src/activation.js';
import { SepconvError } from '../../src/errors.js';
import { GraphBuilder, type Graph, type OpAttrs, type Window } from '../../src/model/ir.js';
import { lowerGraph, permuteData } from '../../src/model/lower.js';
import { concatZerosToPad, dropIdentities, foldScaleShift, fuseActivations, fuseResidualAdds, optimize, sortTopologically } from '../../src/model/passes.js';
import { planMemory } from '../../src/model/plan.js';

const act = (activation: ActivationSpec['activation']) => ({ activation, alpha: 0 }) as ActivationSpec;
const window = (k: number, pad = 0): Window => ({ kH: k, kW: k, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, pad: { top: pad, bottom: pad, left: pad, right: pad } });
const conv = (cin: number, cout: number, k: number, layout: 'NHWC' | 'NCHW', a = 'linear' as ActivationSpec['activation']): OpAttrs['conv'] => ({
  ...window(k, (k - 1) / 2),
  layout,
  filter: Float32Array.from({ length: k * k * cin * cout }, (_, i) => (i % 7) - 3),
  bias: null,
  groups: 1,
  outChannels: cout,
  act: act(a),
  residual: null,
});
const ops = (g: Graph) => g.nodes.map((n) => n.op);

describe('shapes', () => {
  test('every node gets its output shape from its inputs; bad ones are BAD_MODEL naming the node', () => {
    const b = new GraphBuilder();
    const x = b.input('x', [-1, 3, 8, 8], 'NCHW');
    const y = b.node('conv', 'c1', [x], { ...conv(3, 4, 3, 'NCHW'), strideH: 2, strideW: 2 });
    expect(b.shape(y)).toEqual([-1, 4, 4, 4]);
    expect(b.shape(b.node('pool', 'p', [y], { ...window(2), strideH: 2, strideW: 2, layout: 'NCHW', kind: 'max', countIncludePad: false }))).toEqual([-1, 4, 2, 2]);
    expect(b.shape(b.node('binary', 'add', [y, b.constant('s', [1, 4, 1, 1], new Float32Array(4))], { kind: 'add', act: act('linear') }))).toEqual([-1, 4, 4, 4]);
    expect(b.shape(b.node('reshape', 'r', [y], { shape: [-1, 64] }))).toEqual([-1, 64]);
    expect(b.shape(b.node('transpose', 't', [y], { perm: [0, 2, 3, 1] }))).toEqual([-1, 4, 4, 4]);
    expect(() => b.node('binary', 'bad', [y, b.constant('k', [3], new Float32Array(3))], { kind: 'mul', act: act('linear') })).toThrow(/node 'bad': operand shapes that broadcast/);
    const err = (() => {
      try {
        b.node('reshape', 'r2', [y], { shape: [-1, 5, 5] });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(SepconvError);
    expect((err as SepconvError).code).toBe('BAD_MODEL');
  });
});

describe('passes, each alone', () => {
  test('identities disappear; concat with zeros becomes a pad', () => {
    const b = new GraphBuilder();
    const x = b.input('x', [-1, 4, 8, 8], 'NCHW');
    const i = b.node('identity', 'id', [x], {});
    const z = b.constant('zeros', [1, 2, 8, 8], new Float32Array(128));
    const c = b.node('concat', 'cat', [i, z], { axis: 1 });
    b.output(c);
    const g = concatZerosToPad(dropIdentities(b.graph));
    expect(ops(g)).toEqual(['pad']);
    expect(g.nodes[0]).toMatchObject({ inputs: [x], attrs: { pads: [0, 0, 0, 0, 0, 2, 0, 0], value: 0 } });
    expect(g.values[g.outputs[0] as number]?.shape).toEqual([-1, 6, 8, 8]);
  });

  test('a scale-shift folds into the conv before it: weights × scale, bias × scale + shift', () => {
    const b = new GraphBuilder();
    const x = b.input('x', [-1, 5, 5, 2], 'NHWC');
    const attrs = { ...conv(2, 3, 1, 'NHWC'), bias: Float32Array.of(1, 2, 3) };
    const y = b.node('conv', 'c', [x], attrs);
    const scale = Float32Array.of(2, 3, 4);
    const shift = Float32Array.of(-1, 0, 1);
    b.output(b.node('scaleShift', 'bn', [y], { axis: 3, scale, shift }));
    const before = Float32Array.from(attrs.filter);
    const g = foldScaleShift(b.graph);
    expect(ops(g)).toEqual(['conv']);
    const folded = g.nodes[0]?.attrs as OpAttrs['conv'];
    expect([...folded.filter]).toEqual([...before].map((w, i) => w * (scale[i % 3] as number)));
    expect([...(folded.bias as Float32Array)]).toEqual([1 * 2 - 1, 2 * 3, 3 * 4 + 1]);
    expect(g.outputs).toEqual([y]);
  });

  test('a scale-shift does not fold into an op with an activation, or one read twice', () => {
    const b = new GraphBuilder();
    const x = b.input('x', [-1, 5, 5, 2], 'NHWC');
    const y = b.node('conv', 'c', [x], conv(2, 3, 1, 'NHWC', 'relu'));
    b.output(b.node('scaleShift', 'bn', [y], { axis: 3, scale: new Float32Array(3), shift: new Float32Array(3) }));
    expect(ops(foldScaleShift(b.graph))).toEqual(['conv', 'scaleShift']);
  });

  test('activations fuse into the op before them unless its output is read elsewhere or is an output', () => {
    const b = new GraphBuilder();
    const x = b.input('x', [-1, 5, 5, 2], 'NHWC');
    const y = b.node('conv', 'c', [x], conv(2, 3, 1, 'NHWC'));
    const r = b.node('activation', 'relu', [y], { act: act('relu6') });
    const y2 = b.node('conv', 'c2', [r], conv(3, 3, 1, 'NHWC'));
    const r2 = b.node('activation', 'relu2', [y2], { act: act('relu') });
    b.output(r2);
    b.output(y2);
    const g = fuseActivations(b.graph);
    expect(ops(g)).toEqual(['conv', 'conv', 'activation']);
    expect((g.nodes[0]?.attrs as OpAttrs['conv']).act.activation).toBe('relu6');
  });

  test('an add after a pointwise conv fuses into it as a residual, with the activation after it', () => {
    const b = new GraphBuilder();
    const x = b.input('x', [-1, 5, 5, 4], 'NHWC');
    const y = b.node('conv', 'expand', [x], conv(4, 4, 1, 'NHWC'));
    const s = b.node('binary', 'add', [x, y], { kind: 'add', act: act('relu') });
    b.output(s);
    const g = fuseResidualAdds(b.graph);
    expect(ops(g)).toEqual(['conv']);
    expect(g.nodes[0]?.attrs).toMatchObject({ residual: x, act: { activation: 'relu' } });
    expect(g.outputs).toEqual([y]);
    // Not into a 3×3 conv (its kernels take no residual), nor a broadcast add.
    const b2 = new GraphBuilder();
    const x2 = b2.input('x', [-1, 5, 5, 4], 'NHWC');
    b2.output(b2.node('binary', 'add', [x2, b2.node('conv', 'c3', [x2], conv(4, 4, 3, 'NHWC'))], { kind: 'add', act: act('linear') }));
    expect(ops(fuseResidualAdds(b2.graph))).toEqual(['conv', 'binary']);
  });

  test('topological order; a cycle is an error', () => {
    const b = new GraphBuilder();
    const x = b.input('x', [-1, 4], null);
    const a = b.node('activation', 'a', [x], { act: act('relu') });
    const c = b.node('activation', 'c', [a], { act: act('relu') });
    b.output(c);
    b.graph.nodes.reverse();
    expect(sortTopologically(b.graph).nodes.map((n) => n.name)).toEqual(['a', 'c']);
    (b.graph.nodes[0] as { inputs: number[] }).inputs = [c];
    expect(() => sortTopologically(b.graph)).toThrow(/cycle/);
  });
});

describe('lowering: physical layouts', () => {
  const permutes = (g: Graph) => lowerGraph(optimize(g)).steps.filter((s) => s.kind === 'transpose').length;

  test('an NCHW conv chain converts at the edges only: one permute in, one out', () => {
    const b = new GraphBuilder();
    const x = b.input('x', [-1, 3, 8, 8], 'NCHW');
    const y = b.node('conv', 'c1', [x], conv(3, 4, 3, 'NCHW'));
    const r = b.node('activation', 'relu', [y], { act: act('relu') });
    const z = b.node('conv', 'c2', [r], conv(4, 4, 3, 'NCHW'));
    const p = b.node('pool', 'pool', [z], { ...window(2), strideH: 2, strideW: 2, layout: 'NCHW', kind: 'max', countIncludePad: false });
    b.output(b.node('binary', 'scale', [p, b.constant('s', [1, 4, 1, 1], Float32Array.of(1, 2, 3, 4))], { kind: 'mul', act: act('linear') }));
    expect(permutes(b.graph)).toBe(2);
  });

  test('an NHWC input transposed to NCHW (a TF export) needs no permute: the transpose is a relabelling', () => {
    const b = new GraphBuilder();
    const x = b.input('input', [1, 8, 8, 3], 'NHWC');
    const t = b.node('transpose', 'to_nchw', [x], { perm: [0, 3, 1, 2] });
    const y = b.node('conv', 'c1', [t], conv(3, 4, 3, 'NCHW'));
    const back = b.node('transpose', 'to_nhwc', [y], { perm: [0, 2, 3, 1] });
    b.output(b.node('reshape', 'flat', [back], { shape: [1, 256] }));
    expect(permutes(b.graph)).toBe(0);
  });

  test('a flatten of NCHW data with spatial extent needs its row-major order: one permute; of [N, C, 1, 1] none', () => {
    const make = (hw: number) => {
      const b = new GraphBuilder();
      const x = b.input('x', [-1, 3, hw, hw], 'NCHW');
      const y = b.node('conv', 'c', [x], { ...conv(3, 4, 1, 'NCHW') });
      b.output(b.node('reshape', 'flat', [y], { shape: [-1, 4 * hw * hw] }));
      return b.graph;
    };
    // In: NCHW → NHWC; flatten needs NCHW order back.
    expect(permutes(make(4))).toBe(2);
    expect(permutes(make(1))).toBe(0);
  });

  test('permuteData moves elements to the physical order', () => {
    // [1, 2, 1, 3] NCHW → NHWC [1, 1, 3, 2]
    expect([...permuteData(Float32Array.of(1, 2, 3, 4, 5, 6), [1, 2, 1, 3], [0, 2, 3, 1])]).toEqual([1, 4, 2, 5, 3, 6]);
  });
});

describe('memory plan', () => {
  test('intermediates share buffers; views share their source; outputs get their own', () => {
    const b = new GraphBuilder();
    let v = b.input('x', [-1, 8, 8, 4], 'NHWC');
    for (let i = 0; i < 6; i++) v = b.node('conv', `c${i}`, [v], conv(4, 4, 3, 'NHWC'));
    const flat = b.node('reshape', 'flat', [v], { shape: [-1, 256] });
    b.output(flat);
    const l = lowerGraph(optimize(b.graph));
    const plan = planMemory(l, 2);
    // Six convs: five intermediates ping-pong in two buffers; the last one (viewed by the output) is the caller's.
    expect(plan.plan.buffers).toBe(2);
    expect(plan.plan.peakBytes).toBe(2 * 4 * 2 * 8 * 8 * 4);
    expect(plan.slotOf.has(v)).toBe(false);
  });
});
