// Memory: the pool does not grow under a long mixed workload, undisposed tensors
// are counted, trim() releases pooled buffers, tidy() disposes intermediates.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createEngine, type Engine, type Tensor } from '../../src/index.js';
import { createGpuEngine } from '../support/gpu.js';
import { randomData } from '../support/random.js';

let e: Engine;
beforeAll(async () => {
  e = await createGpuEngine();
});
afterAll(() => e?.destroy());

test('soak: 10,000 mixed ops with dispose keep bytesAllocated flat after warm-up', async () => {
  const x0 = randomData(12 * 12 * 8, 1);
  const dw = e.tensor(randomData(9 * 8 * 2, 2), [3, 3, 8, 2]);
  const pw = e.tensor(randomData(16 * 8, 3), [16, 8]);
  const cw = e.tensor(randomData(9 * 8 * 8, 4), [3, 3, 8, 8]);
  const gw = e.tensor(randomData(9 * 4 * 8, 6), [3, 3, 4, 8]);
  const bias = e.tensor(randomData(8, 5), [8]);
  let ops = 0;
  let afterWarmup = 0;
  let first: Float32Array | null = null;
  for (let i = 0; ops < 10_000; i++) {
    const x = e.tensor(x0, [1, 12, 12, 8]);
    const y = e.depthwiseConv2d(x, dw, { padding: 'same', activation: 'relu6' });
    const z = e.pointwiseConv2d(y, pw, { bias });
    const u = i % 2 === 0 ? i % 4 === 0 ? e.conv2d(z, gw, { padding: 'same', groups: 2 }) : e.conv2d(z, cw, { padding: 'same' }) : e.separableConv2d(z, dw, pw, { padding: 'same' });
    ops += 4; // tensor upload + three ops (separable counts as one)
    if (i % 50 === 0) {
      const out = await u.read();
      if (i === 0) first = out;
    }
    [x, y, z, u].forEach((t) => t.dispose());
    if (ops >= 1000 && afterWarmup === 0) {
      await e.flush();
      afterWarmup = e.memory().bytesAllocated;
    }
  }
  await e.flush();
  const end = e.memory();
  console.log(`soak: ${ops} ops, bytesAllocated ${afterWarmup} after warm-up, ${end.bytesAllocated} at the end, ${end.buffers} buffers`);
  expect(end.bytesAllocated).toBeLessThanOrEqual(afterWarmup);
  expect(first?.length).toBe(12 * 12 * 8);
  [dw, pw, cw, gw, bias].forEach((t) => t.dispose());
});

test('undisposed tensors are counted in bytesInUse; disposing returns them to the pool; trim() frees the pool', async () => {
  await e.flush();
  const before = e.memory();
  const held = Array.from({ length: 5 }, () => e.tensor(new Float32Array(10_000), [10_000]));
  const during = e.memory();
  expect(during.bytesInUse - before.bytesInUse).toBeGreaterThanOrEqual(5 * 40_000);
  held.forEach((t) => t.dispose());
  await e.flush();
  const after = e.memory();
  expect(after.bytesInUse).toBe(before.bytesInUse);
  expect(after.pooledBytes).toBeGreaterThanOrEqual(5 * 40_000);
  e.trim();
  const trimmed = e.memory();
  expect(trimmed.pooledBytes).toBe(0);
  expect(trimmed.bytesAllocated).toBe(trimmed.bytesInUse);
});

describe('tidy', () => {
  test('disposes intermediates, keeps what it returns and what keep() marks', async () => {
    const cpu = await createEngine({ backend: 'cpu' });
    for (const en of [e, cpu]) {
      const x = en.tensor([1, 2, 3, 4], [1, 2, 2, 1]);
      let inner: Tensor | undefined;
      let kept: Tensor | undefined;
      const out = en.tidy(() => {
        inner = en.depthwiseConv2d(x, en.tensor([1, 1, 1, 1], [1, 1, 1, 4]));
        kept = en.keep(en.tensor([9], [1]));
        return { y: en.pointwiseConv2d(inner, en.tensor([1, 1, 1, 1], [4, 1])), list: [en.tensor([5], [1])] };
      });
      expect(inner?.isDisposed).toBe(true);
      expect(kept?.isDisposed).toBe(false);
      expect(x.isDisposed).toBe(false); // made outside the scope
      expect([...(await out.y.read())]).toEqual([4, 8, 12, 16]);
      expect([...(await out.list[0]!.read())]).toEqual([5]);
    }
    cpu.destroy();
  });

  test('nested scopes pass returned tensors outwards; a throw disposes and rethrows; async fns are refused', async () => {
    let innerResult: Tensor | undefined;
    const outer = e.tidy(() => {
      innerResult = e.tidy(() => e.tensor([1], [1]));
      return e.tensor([2], [1]);
    });
    expect(innerResult?.isDisposed).toBe(true); // returned by the inner scope, dropped by the outer
    expect(outer.isDisposed).toBe(false);
    let made: Tensor | undefined;
    expect(() =>
      e.tidy(() => {
        made = e.tensor([1], [1]);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(made?.isDisposed).toBe(true);
    expect(() => e.tidy(async () => e.tensor([1], [1]))).toThrow(/tidy: argument 'fn': expected a synchronous function/);
  });

  test('with tidy, a loop of ops keeps memory flat', async () => {
    const w = e.tensor(randomData(9 * 4, 1), [3, 3, 4, 1]);
    const x = e.tensor(randomData(64 * 4, 2), [1, 8, 8, 4]);
    const warm = e.tidy(() => e.depthwiseConv2d(e.depthwiseConv2d(x, w, { padding: 'same' }), w, { padding: 'same' }));
    await warm.read();
    warm.dispose();
    await e.flush();
    const base = e.memory().bytesInUse;
    for (let i = 0; i < 200; i++) {
      const y = e.tidy(() => e.depthwiseConv2d(e.depthwiseConv2d(x, w, { padding: 'same' }), w, { padding: 'same' }));
      y.dispose(); // the caller owns what tidy returns
    }
    await e.flush();
    expect(e.memory().bytesInUse).toBe(base);
  });
});
