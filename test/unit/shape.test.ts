import { describe, expect, test } from 'vitest';
import { convGeometry, convOutputSize, normalizePair, resolvePadding, samePadding } from '../../src/shape.js';
import { SepconvError } from '../../src/errors.js';

describe('samePadding (TF/Keras rule)', () => {
  // Expected values worked out by hand from
  // total = max((ceil(in/s) - 1)·s + (k - 1)·d + 1 - in, 0), before = floor(total/2).
  test.each([
    // in, k, s, d, [before, after]
    [5, 3, 1, 1, [1, 1]],
    [4, 3, 2, 1, [0, 1]], // out 2: total = 1·2 + 3 - 4 = 1 → extra row at the bottom
    [5, 3, 2, 1, [1, 1]], // out 3: total = 2·2 + 3 - 5 = 2
    [6, 3, 2, 1, [0, 1]], // out 3: total = 4 + 3 - 6 = 1
    [7, 3, 3, 1, [1, 1]], // out 3: total = 6 + 3 - 7 = 2
    [8, 3, 3, 1, [0, 1]], // out 3: total = 6 + 3 - 8 = 1
    [9, 3, 3, 1, [0, 0]], // out 3: total = 6 + 3 - 9 = 0
    [10, 5, 3, 1, [2, 2]], // out 4: total = 3·3 + 5 - 10 = 4
    [7, 3, 1, 2, [2, 2]], // dilated extent 5: total = 6 + 5 - 7 = 4
    [8, 4, 1, 1, [1, 2]], // even kernel: total 3 → [1, 2]
    [1, 7, 2, 1, [3, 3]], // kernel larger than input: total = 0 + 7 - 1 = 6
  ] as const)('in=%i k=%i s=%i d=%i', (inSize, k, s, d, expected) => {
    expect(samePadding(inSize, k, s, d)).toEqual(expected);
  });

  test("'same' always gives ceil(in / stride) outputs", () => {
    for (let inSize = 1; inSize <= 20; inSize++)
      for (let k = 1; k <= 7; k++)
        for (let s = 1; s <= 3; s++)
          for (let d = 1; d <= 3; d++) {
            const [b, a] = samePadding(inSize, k, s, d);
            expect(convOutputSize(inSize, k, s, d, b, a)).toBe(Math.ceil(inSize / s));
            expect(a - b === 0 || a - b === 1).toBe(true);
          }
  });
});

describe('convOutputSize', () => {
  test.each([
    // in, k, s, d, before, after, out
    [5, 3, 1, 1, 0, 0, 3],
    [5, 3, 2, 1, 0, 0, 2],
    [6, 3, 2, 1, 0, 0, 2],
    [7, 3, 3, 1, 1, 1, 3],
    [5, 3, 1, 2, 0, 0, 1], // dilated extent 5
    [4, 3, 1, 2, 0, 0, 0], // extent 5 > 4: empty
    [4, 3, 1, 2, 1, 0, 1],
    [2, 1, 1, 1, 1, 2, 5],
  ] as const)('in=%i k=%i s=%i d=%i pad=%i,%i → %i', (i, k, s, d, b, a, out) => {
    expect(convOutputSize(i, k, s, d, b, a)).toBe(out);
  });
});

describe('resolvePadding', () => {
  test('forms', () => {
    expect(resolvePadding('op', 'valid', 5, 5, 3, 3, [1, 1], [1, 1])).toEqual({ top: 0, bottom: 0, left: 0, right: 0 });
    expect(resolvePadding('op', undefined, 5, 5, 3, 3, [1, 1], [1, 1])).toEqual({ top: 0, bottom: 0, left: 0, right: 0 });
    expect(resolvePadding('op', 2, 5, 5, 3, 3, [1, 1], [1, 1])).toEqual({ top: 2, bottom: 2, left: 2, right: 2 });
    expect(resolvePadding('op', [1, 0, 3, 2], 5, 5, 3, 3, [1, 1], [1, 1])).toEqual({ top: 1, bottom: 0, left: 3, right: 2 });
    // 'same' with different strides per axis: H=4,s=2 → [0,1]; W=8,s=3 → out 3, total 6+3-8 = 1 → [0,1]
    expect(resolvePadding('op', 'same', 4, 8, 3, 3, [2, 3], [1, 1])).toEqual({ top: 0, bottom: 1, left: 0, right: 1 });
    // rectangular kernel 3×5, stride 1: [1,1] and [2,2]
    expect(resolvePadding('op', 'same', 6, 6, 3, 5, [1, 1], [1, 1])).toEqual({ top: 1, bottom: 1, left: 2, right: 2 });
  });

  test.each([['full'], [-1], [1.5], [[1, 2]], [[1, 2, 3, -1]], [NaN], [null]])('rejects %j', (p) => {
    expect(() => resolvePadding('depthwiseConv2d', p as never, 5, 5, 3, 3, [1, 1], [1, 1])).toThrow(
      /sepconv\.depthwiseConv2d: argument 'options\.padding': expected .*got/,
    );
  });
});

describe('normalizePair', () => {
  test('accepts numbers and pairs', () => {
    expect(normalizePair('op', 'options.stride', undefined)).toEqual([1, 1]);
    expect(normalizePair('op', 'options.stride', 2)).toEqual([2, 2]);
    expect(normalizePair('op', 'options.stride', [1, 3])).toEqual([1, 3]);
  });
  test.each([[0], [-1], [1.5], [NaN], [[1]], [[1, 0]], [[1, 2, 3]], ['2']])('rejects %j', (v) => {
    expect(() => normalizePair('op', 'options.stride', v as never)).toThrow(SepconvError);
  });
});

describe('convGeometry', () => {
  test('asymmetric same padding with stride 2 and 3', () => {
    const g = convGeometry('op', [1, 4, 8, 3], 3, 3, { stride: [2, 3], padding: 'same' });
    expect(g).toMatchObject({ outH: 2, outW: 3, pad: { top: 0, bottom: 1, left: 0, right: 1 } });
  });
  test('kernel larger than the padded input throws EMPTY_OUTPUT', () => {
    let err: unknown;
    try {
      convGeometry('depthwiseConv2d', [1, 4, 4, 1], 5, 5, { padding: 'valid' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SepconvError);
    expect((err as SepconvError).code).toBe('EMPTY_OUTPUT');
    expect((err as Error).message).toMatch(/depthwiseConv2d.*'filter'.*padded input \(4×4\).*got 5×5/);
  });
});
