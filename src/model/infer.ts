// Output shapes of the IR's ops, from their input shapes and attributes: the
// one place the shape rules live (GraphBuilder uses them for every node, so
// builders and loaders never compute shapes themselves). A shape that cannot
// be computed is a BAD_MODEL error naming the node.

import { SepconvError } from '../errors.js';
import { convOutputSize } from '../shape.js';
import type { ImageLayout, OpAttrs, OpKind, Window } from './ir.js';

function bad(node: string, what: string): SepconvError {
  return new SepconvError('BAD_MODEL', { op: 'model', arg: node, expected: what, given: 'a graph where it does not hold' }, `sepconv.model: node '${node}': ${what}`);
}

/** [N, C, H, W] or [N, H, W, C] → its parts. */
export function imageDims(shape: readonly number[], layout: ImageLayout): { n: number; c: number; h: number; w: number } {
  const [a, b, c, d] = shape as [number, number, number, number];
  return layout === 'NCHW' ? { n: a, c: b, h: c, w: d } : { n: a, h: b, w: c, c: d };
}

export function imageShape(layout: ImageLayout, n: number, c: number, h: number, w: number): number[] {
  return layout === 'NCHW' ? [n, c, h, w] : [n, h, w, c];
}

function windowOut(node: string, w: Window, h: number, wd: number): [number, number] {
  const ho = convOutputSize(h, w.kH, w.strideH, w.dilationH, w.pad.top, w.pad.bottom);
  const wo = convOutputSize(wd, w.kW, w.strideW, w.dilationW, w.pad.left, w.pad.right);
  if (ho <= 0 || wo <= 0) throw bad(node, `a ${w.kH}×${w.kW} window that fits its ${h}×${wd} input (with padding)`);
  return [ho, wo];
}

/** NumPy broadcasting of two shapes (dimensions aligned from the right; -1 is the open batch). */
export function broadcastShapes(node: string, a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x === y || y === 1) out.push(x);
    else if (x === 1) out.push(y);
    else if (x === -1 || y === -1) out.push(-1);
    else throw bad(node, `operand shapes that broadcast ([${a.join(', ')}] and [${b.join(', ')}])`);
  }
  return out;
}

const size = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);

/** The output shape of a node with the given input shapes. */
export function inferShape<K extends OpKind>(op: K, name: string, attrs: OpAttrs[K], inputs: readonly (readonly number[])[]): number[] {
  const x = inputs[0] as readonly number[];
  switch (op) {
    case 'conv':
    case 'separable':
    case 'pool': {
      const a = attrs as OpAttrs['conv'] | OpAttrs['separable'] | OpAttrs['pool'];
      if (x.length !== 4) throw bad(name, `a rank-4 ${a.layout} input, not [${x.join(', ')}]`);
      const d = imageDims(x, a.layout);
      const [ho, wo] = windowOut(name, a, d.h, d.w);
      const c = 'outChannels' in a ? a.outChannels : d.c;
      return imageShape(a.layout, d.n, c, ho, wo);
    }
    case 'globalAveragePool': {
      const d = imageDims(x, (attrs as OpAttrs['globalAveragePool']).layout);
      return imageShape((attrs as OpAttrs['globalAveragePool']).layout, d.n, d.c, 1, 1);
    }
    case 'dense':
      return [...x.slice(0, -1), (attrs as OpAttrs['dense']).units];
    case 'matmul': {
      const b = inputs[1] as readonly number[];
      if (x.length !== 2 || b.length !== 2 || x[1] !== b[0]) throw bad(name, `operands [M, K] and [K, N], not [${x.join(', ')}] and [${b.join(', ')}]`);
      return [x[0] as number, b[1] as number];
    }
    case 'binary':
      return broadcastShapes(name, x, inputs[1] as readonly number[]);
    case 'concat': {
      const axis = (attrs as OpAttrs['concat']).axis;
      const out = [...x];
      // -1 (an open batch) agrees with any size.
      const agree = (d: number, e: number) => d === e || d === -1 || e === -1;
      for (const s of inputs.slice(1)) {
        if (s.length !== x.length || s.some((d, i) => i !== axis && !agree(d, x[i] as number))) {
          throw bad(name, `inputs that agree but on axis ${axis} ([${x.join(', ')}] and [${s.join(', ')}])`);
        }
        out[axis] = (out[axis] as number) + (s[axis] as number);
      }
      return out;
    }
    case 'pad': {
      const { pads } = attrs as OpAttrs['pad'];
      if (pads.length !== 2 * x.length) throw bad(name, `${2 * x.length} pads for a rank-${x.length} input`);
      return x.map((d, i) => (d < 0 ? d : d + (pads[i] as number) + (pads[i + x.length] as number)));
    }
    case 'reshape': {
      const target = (attrs as OpAttrs['reshape']).shape;
      // Sizes compare per image when both keep an open batch first.
      const open = target[0] === -1 && x[0] === -1;
      const [t, s0] = open ? [target.slice(1), x.slice(1)] : [target, x];
      if (t.every((d) => d > 0) && s0.every((d) => d > 0) && size(t) !== size(s0)) {
        throw bad(name, `a reshape to [${target.join(', ')}] of the same size as [${x.join(', ')}]`);
      }
      return [...target];
    }
    case 'transpose':
      return (attrs as OpAttrs['transpose']).perm.map((p) => x[p] as number);
    default:
      // activation, scaleShift, softmax, identity: the input's shape.
      return [...x];
  }
}

