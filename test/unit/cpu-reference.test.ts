// The CPU reference against small cases whose expected numbers are worked out by
// hand (written next to each case), through the public API on the 'cpu' backend.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';

let cpu: Engine;
beforeAll(async () => {
  cpu = await createEngine({ backend: 'cpu' });
});
afterAll(() => cpu.destroy());

const range = (n: number, from = 1) => Float32Array.from({ length: n }, (_, i) => i + from);

describe('depthwiseConv2d (cpu), hand-computed', () => {
  test('2×2 kernel, valid', async () => {
    // x = [[1 2 3],[4 5 6],[7 8 9]], w = [[1 2],[3 4]]
    // y00 = 1·1 + 2·2 + 4·3 + 5·4 = 37, y01 = 2 + 6 + 15 + 24 = 47
    // y10 = 4 + 10 + 21 + 32 = 67,      y11 = 5 + 12 + 24 + 36 = 77
    const y = cpu.depthwiseConv2d(cpu.tensor(range(9), [1, 3, 3, 1]), cpu.tensor([1, 2, 3, 4], [2, 2, 1, 1]));
    expect(y.shape).toEqual([1, 2, 2, 1]);
    expect([...(await y.read())]).toEqual([37, 47, 67, 77]);
  });

  test('channel multiplier: output channel = c·M + m', async () => {
    // pixels (1,2) and (3,4); 1×1 filter w[c][m] = c0: (10, 20), c1: (30, 40)
    // pixel 0 → (1·10, 1·20, 2·30, 2·40) = (10, 20, 60, 80); pixel 1 → (30, 60, 120, 160)
    const y = cpu.depthwiseConv2d(cpu.tensor([1, 2, 3, 4], [1, 1, 2, 2]), cpu.tensor([10, 20, 30, 40], [1, 1, 2, 2]));
    expect(y.shape).toEqual([1, 1, 2, 4]);
    expect([...(await y.read())]).toEqual([10, 20, 60, 80, 30, 60, 120, 160]);
  });

  test("'same' with stride 2 puts the extra padding bottom/right", async () => {
    // 4×4 ones, 3×3 ones, stride 2: out 2×2, pad top 0 bottom 1, left 0 right 1.
    // (0,0): rows 0-2 × cols 0-2 all inside = 9; (0,1): cols 2-4, col 4 is padding → 6;
    // (1,0): rows 2-4 → 6; (1,1): 2×2 inside → 4.
    const x = cpu.tensor(new Float32Array(16).fill(1), [1, 4, 4, 1]);
    const w = cpu.tensor(new Float32Array(9).fill(1), [3, 3, 1, 1]);
    const y = cpu.depthwiseConv2d(x, w, { stride: 2, padding: 'same' });
    expect([...(await y.read())]).toEqual([9, 6, 6, 4]);
  });

  test('dilation 2', async () => {
    // x = 1..5 along W, kernel (1, 10) with dilation 2 spans x[i], x[i+2]:
    // y = (1 + 30, 2 + 40, 3 + 50) = (31, 42, 53)
    const y = cpu.depthwiseConv2d(cpu.tensor(range(5), [1, 1, 5, 1]), cpu.tensor([1, 10], [1, 2, 1, 1]), {
      dilation: 2,
    });
    expect([...(await y.read())]).toEqual([31, 42, 53]);
  });

  test('explicit [top, bottom, left, right] padding is zeros', async () => {
    // 2×2 input 1..4, 1×1 kernel of 1, padding [1, 0, 0, 2] → 3×4 output:
    // row 0 all padding; rows 1-2 are the input followed by two zero columns.
    const y = cpu.depthwiseConv2d(cpu.tensor(range(4), [1, 2, 2, 1]), cpu.tensor([1], [1, 1, 1, 1]), {
      padding: [1, 0, 0, 2],
    });
    expect(y.shape).toEqual([1, 3, 4, 1]);
    expect([...(await y.read())]).toEqual([0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0]);
  });

  test('bias then relu6', async () => {
    // x = (-1, 2, 10) in three channels, weights 1, bias 0.5: (-0.5, 2.5, 10.5) → relu6 → (0, 2.5, 6)
    const y = cpu.depthwiseConv2d(cpu.tensor([-1, 2, 10], [1, 1, 1, 3]), cpu.tensor([1, 1, 1], [1, 1, 3, 1]), {
      bias: cpu.tensor([0.5, 0.5, 0.5], [3]),
      activation: 'relu6',
    });
    expect([...(await y.read())]).toEqual([0, 2.5, 6]);
  });

  test('batch: each image uses its own pixels', async () => {
    // two 1×2 images (1, 2) and (3, 4), kernel (1, 1) valid → (3) and (7)
    const y = cpu.depthwiseConv2d(cpu.tensor(range(4), [2, 1, 2, 1]), cpu.tensor([1, 1], [1, 2, 1, 1]));
    expect(y.shape).toEqual([2, 1, 1, 1]);
    expect([...(await y.read())]).toEqual([3, 7]);
  });
});

describe('pointwiseConv2d (cpu), hand-computed', () => {
  test('matrix product per pixel, bias and relu', async () => {
    // pixels (1,2), (3,4); w = [[1,2,3],[4,5,6]]
    // pixel 0: 1·(1,2,3) + 2·(4,5,6) = (9, 12, 15); pixel 1: 3·(1,2,3) + 4·(4,5,6) = (19, 26, 33)
    // bias (1, -100, 0), relu → (10, 0, 15) and (20, 0, 33)
    const x = cpu.tensor([1, 2, 3, 4], [1, 1, 2, 2]);
    const w = cpu.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    expect([...(await cpu.pointwiseConv2d(x, w).read())]).toEqual([9, 12, 15, 19, 26, 33]);
    const z = cpu.pointwiseConv2d(x, w, { bias: cpu.tensor([1, -100, 0], [3]), activation: 'relu' });
    expect(z.shape).toEqual([1, 1, 2, 3]);
    expect([...(await z.read())]).toEqual([10, 0, 15, 20, 0, 33]);
  });

  test('accepts a TF.js-style [1, 1, Cin, Cout] filter', async () => {
    const x = cpu.tensor([1, 2], [1, 1, 1, 2]);
    const y = cpu.pointwiseConv2d(x, cpu.tensor([1, 2, 3, 4], [1, 1, 2, 2]));
    expect([...(await y.read())]).toEqual([7, 10]); // 1·(1,2) + 2·(3,4)
  });

  test('the separable example: depthwise then pointwise', async () => {
    // 1×1×1×2 input (1, 2); depthwise 1×1 weights (2, 3) → (2, 6); pointwise [[1],[1]] → 8
    const x = cpu.tensor([1, 2], [1, 1, 1, 2]);
    const y = cpu.depthwiseConv2d(x, cpu.tensor([2, 3], [1, 1, 2, 1]));
    const z = cpu.pointwiseConv2d(y, cpu.tensor([1, 1], [2, 1]));
    expect([...(await z.read())]).toEqual([8]);
  });
});
