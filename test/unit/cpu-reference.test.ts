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

describe('add, sub, mul, div (cpu), hand-computed', () => {
  test('b broadcasts against a, a against b, and both ways at once', async () => {
    const a23 = cpu.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    const b3 = cpu.tensor([10, 20, 30], [3]);
    // [2, 3] + [3]: each row plus (10, 20, 30)
    const sum = cpu.add(a23, b3);
    expect(sum.shape).toEqual([2, 3]);
    expect([...(await sum.read())]).toEqual([11, 22, 33, 14, 25, 36]);
    // [3] − [2, 3]: (10, 20, 30) minus each row
    expect([...(await cpu.sub(b3, a23).read())]).toEqual([9, 18, 27, 6, 15, 24]);
    // [2, 1] · [1, 3] → [2, 3]: the outer product
    const outer = cpu.mul(cpu.tensor([1, 2], [2, 1]), cpu.tensor([10, 20, 30], [1, 3]));
    expect(outer.shape).toEqual([2, 3]);
    expect([...(await outer.read())]).toEqual([10, 20, 30, 20, 40, 60]);
  });

  test('squeeze-excite scaling, NHWC [N, H, W, C] · [N, 1, 1, C], with an activation', async () => {
    // two images of 1×2 pixels, 2 channels; scales (1, −1) for image 0, (2, 0) for image 1; relu
    const x = cpu.tensor([1, 2, 3, 4, 5, 6, 7, 8], [2, 1, 2, 2]);
    const y = cpu.mul(x, cpu.tensor([1, -1, 2, 0], [2, 1, 1, 2]), { activation: 'relu' });
    expect([...(await y.read())]).toEqual([1, 0, 3, 0, 10, 0, 14, 0]);
  });

  test('NCHW tensors: the data as laid out, the layout kept', async () => {
    // [1, 2, 1, 2] NCHW: channel 0 = (1, 2), channel 1 = (3, 4); per-channel scale [1, 2, 1, 1] = (10, 100)
    const x = cpu.tensor([1, 2, 3, 4], [1, 2, 1, 2], { layout: 'NCHW' });
    const y = cpu.mul(x, cpu.tensor([10, 100], [1, 2, 1, 1], { layout: 'NCHW' }));
    expect(y.layout).toBe('NCHW');
    expect(y.shape).toEqual([1, 2, 1, 2]);
    expect([...(await y.read())]).toEqual([10, 20, 300, 400]);
    // a rank-1 operand aligns with the last dimension as stored (W), and the rank-4 operand's layout is kept
    const z = cpu.add(cpu.tensor([5, 6], [2]), x);
    expect(z.layout).toBe('NCHW');
    expect([...(await z.read())]).toEqual([6, 8, 8, 10]);
  });

  test('division is IEEE division: x / 0 is ±Inf, 0 / 0 is NaN', async () => {
    const y = await cpu.div(cpu.tensor([1, -1, 0, 6], [4]), cpu.tensor([0, 0, 0, 4], [4])).read();
    expect([...y]).toEqual([Infinity, -Infinity, NaN, 1.5]);
  });
});

describe('clip and hardSigmoid (cpu), hand-computed', () => {
  const values = [-3, -1, 0, 1, 1.5, 2.5, 5, NaN];
  test('clip: min(max(x, alpha), beta); NaN passes through', async () => {
    const x = cpu.tensor(values, [8]);
    const y = await cpu.add(x, cpu.tensor([0], [1]), { activation: 'clip', alpha: -1, beta: 2 }).read();
    expect([...y]).toEqual([-1, -1, 0, 1, 1.5, 2, 2, NaN]);
  });
  test('hardSigmoid: max(0, min(1, alpha·x + beta)), ONNX defaults alpha 0.2, beta 0.5', async () => {
    const x = cpu.tensor(values, [8]);
    // 0.2·x + 0.5: −0.1 → 0, 0.3, 0.5, 0.7, 0.8, 1.0, 1.5 → 1, NaN
    const y = await cpu.add(x, cpu.tensor([0], [1]), { activation: 'hardSigmoid' }).read();
    expect([...y]).toEqual([0, 0.3, 0.5, 0.7, 0.8, 1, 1, NaN].map(Math.fround));
    // alpha 1, beta 0: max(0, min(1, x))
    const z = await cpu.pointwiseConv2d(cpu.tensor(values, [1, 1, 8, 1]), cpu.tensor([1], [1, 1]), { activation: 'hardSigmoid', alpha: 1, beta: 0 }).read();
    expect([...z]).toEqual([0, 0, 0, 1, 1, 1, 1, NaN]);
  });
});

describe('pooling (cpu), hand-computed', () => {
  // x = [[1 2 3],[4 5 6],[7 8 9]] (one channel)
  const x3 = () => cpu.tensor(range(9), [1, 3, 3, 1]);

  test('maxPool 2×2 stride 1: the largest of each window', async () => {
    const y = cpu.maxPool(x3(), { kernelSize: 2, stride: 1 });
    expect(y.shape).toEqual([1, 2, 2, 1]);
    expect([...(await y.read())]).toEqual([5, 6, 8, 9]);
  });

  test('stride defaults to the window size; valid drops the leftover row and column', async () => {
    const y = cpu.maxPool(x3(), { kernelSize: 2 });
    expect(y.shape).toEqual([1, 1, 1, 1]);
    expect([...(await y.read())]).toEqual([5]);
  });

  test("avgPool 'same' leaves padding out of the count; countIncludePad counts it as zeros", async () => {
    // 2×2 'same' stride 1 on 3×3: pad bottom and right by 1. Windows at the last row/column
    // hold 2 cells, the corner 1: (1+2+4+5)/4 = 3, (2+3+5+6)/4 = 4, (3+6)/2 = 4.5, … 9/1 = 9.
    const y = cpu.avgPool(x3(), { kernelSize: 2, stride: 1, padding: 'same' });
    expect([...(await y.read())]).toEqual([3, 4, 4.5, 6, 7, 7.5, 7.5, 8.5, 9]);
    // The same sums over 4 cells: 12/4, 16/4, 9/4, 24/4, 28/4, 15/4, 15/4, 17/4, 9/4.
    const z = cpu.avgPool(x3(), { kernelSize: 2, stride: 1, padding: [0, 1, 0, 1], countIncludePad: true });
    expect([...(await z.read())]).toEqual([3, 4, 2.25, 6, 7, 3.75, 3.75, 4.25, 2.25]);
  });

  test('maxPool: padded cells are −∞, not 0; a NaN in the window gives NaN', async () => {
    // All-negative input with padding 1: each 3×3 window's max is its largest input cell.
    const neg = cpu.tensor([-5, -1, -3, -2], [1, 2, 2, 1]);
    expect([...(await cpu.maxPool(neg, { kernelSize: 3, stride: 1, padding: 1 }).read())]).toEqual([-1, -1, -1, -1]);
    const withNan = cpu.tensor([1, NaN, 3, 4], [1, 2, 2, 1]);
    expect([...(await cpu.maxPool(withNan, { kernelSize: [1, 2], stride: 1 }).read())]).toEqual([NaN, 4]);
  });

  test('a window with no cell inside the input: −∞ (max), NaN (average), 0 (average counting padding)', async () => {
    // 1×1 input, 1×1 window, 1 row of padding above: output row 0 reads only padding.
    const one = cpu.tensor([7], [1, 1, 1, 1]);
    expect([...(await cpu.maxPool(one, { kernelSize: 1, padding: [1, 0, 0, 0] }).read())]).toEqual([-Infinity, 7]);
    expect([...(await cpu.avgPool(one, { kernelSize: 1, padding: [1, 0, 0, 0] }).read())]).toEqual([NaN, 7]);
    expect([...(await cpu.avgPool(one, { kernelSize: 1, padding: [1, 0, 0, 0], countIncludePad: true }).read())]).toEqual([0, 7]);
  });

  test('channels pool separately, and NCHW input gives NCHW output', async () => {
    // Two channels interleaved (1, 10), (2, 20), (3, 30), (4, 40) over a 2×2 image.
    const y = cpu.avgPool(cpu.tensor([1, 10, 2, 20, 3, 30, 4, 40], [1, 2, 2, 2]), { kernelSize: 2 });
    expect([...(await y.read())]).toEqual([2.5, 25]);
    const nchw = cpu.maxPool(cpu.tensor([1, 2, 3, 4, 10, 20, 30, 40], [1, 2, 2, 2], { layout: 'NCHW' }), { kernelSize: [1, 2] });
    expect(nchw.layout).toBe('NCHW');
    expect(nchw.shape).toEqual([1, 2, 2, 1]);
    expect([...(await nchw.read())]).toEqual([2, 4, 20, 40]);
  });
});

describe('concat, pad, matMul (cpu), hand-computed', () => {
  test('concat joins along the axis; negative axes count from the end', async () => {
    const a = cpu.tensor([1, 2, 3, 4], [2, 2]);
    const b = cpu.tensor([5, 6], [2, 1]);
    const y = cpu.concat([a, b], -1);
    expect(y.shape).toEqual([2, 3]);
    expect([...(await y.read())]).toEqual([1, 2, 5, 3, 4, 6]);
    const z = cpu.concat([a, cpu.tensor([7, 8], [1, 2])]);
    expect(z.shape).toEqual([3, 2]);
    expect([...(await z.read())]).toEqual([1, 2, 3, 4, 7, 8]);
  });

  test('pad surrounds the input with the value, per dimension', async () => {
    // [[1 2],[3 4]] with 1 row above, 1 column left and 2 right, value 9.
    const y = cpu.pad(cpu.tensor(range(4), [2, 2]), [[1, 0], [1, 2]], 9);
    expect(y.shape).toEqual([3, 5]);
    expect([...(await y.read())]).toEqual([9, 9, 9, 9, 9, 9, 1, 2, 9, 9, 9, 3, 4, 9, 9]);
    const z = cpu.pad(cpu.tensor([5], [1, 1, 1, 1]), [[0, 0], [0, 1], [0, 0], [1, 0]]);
    expect(z.shape).toEqual([1, 2, 1, 2]);
    expect([...(await z.read())]).toEqual([0, 5, 0, 0]);
  });

  test('matMul: [2, 3] × [3, 2]', async () => {
    // [[1 2 3],[4 5 6]] × [[1 0],[0 1],[1 1]] = [[4 5],[10 11]]
    const y = cpu.matMul(cpu.tensor(range(6), [2, 3]), cpu.tensor([1, 0, 0, 1, 1, 1], [3, 2]));
    expect(y.shape).toEqual([2, 2]);
    expect([...(await y.read())]).toEqual([4, 5, 10, 11]);
  });
});
