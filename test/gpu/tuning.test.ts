// engine.tune() on a GPU (Node, Dawn): the whole path from recording a function
// to records, with an injected measurement and clock so no assertion depends on
// timing; one real-timing run checks the records' shape, not the times.
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { createEngine, mobilenetV2, SepconvError, type Engine, type TuneOptions, type TuningRecord } from '../../src/index.js';
import { firstMismatch } from '../support/compare.js';
import { randomData } from '../support/random.js';

const X = [1, 20, 20, 8];
/** A small separable block and a 5×5 depthwise: several op calls with several candidates each. */
function block(e: Engine) {
  const x = e.tensor(randomData(X.reduce((a, b) => a * b), 1), X);
  const dw = e.tensor(randomData(9 * 8, 2), [3, 3, 8, 1]);
  const pw = e.tensor(randomData(8 * 16, 3), [8, 16]);
  const dw5 = e.tensor(randomData(25 * 16, 4), [5, 5, 16, 1]);
  const pw2 = e.tensor(randomData(16 * 8, 5), [16, 8]);
  return () => {
    const y = e.separableConv2d(x, dw, pw, { padding: 'same', activation: 'relu6' });
    const z = e.depthwiseConv2d(y, dw5, { padding: 'same' });
    return e.pointwiseConv2d(z, pw2, { activation: 'relu' });
  };
}

/**
 * A fake measurement and clock: candidate times from `ms`, by default slowest for the
 * cost model's first choice and fastest for the last candidate of each call, so a
 * tuned engine runs different kernels than an untuned one.
 */
function fake(ms?: (key: string, variant: string, tunables: Record<string, number>) => number) {
  let now = 0;
  const seen = new Map<string, string[]>();
  const options: TuneOptions = {
    clock: () => now,
    measure: async (key, variant, tunables) => {
      const list = seen.get(key) ?? [];
      const name = `${variant}${JSON.stringify(tunables)}`;
      if (!list.includes(name)) list.push(name);
      seen.set(key, list);
      // The same time at every look (the tuner looks at close contenders again).
      const t = ms ? ms(key, variant, tunables) : 100 - list.indexOf(name);
      now += 6 * t;
      return t;
    },
  };
  return { options, seen, clock: () => now };
}

let engine: Engine;
let run: () => ReturnType<ReturnType<typeof block>>;
beforeAll(async () => {
  engine = await createEngine({ backend: 'webgpu' });
  run = block(engine);
});
afterAll(() => engine?.destroy());

describe('engine.tune', () => {
  let records: TuningRecord[];
  let timer: ReturnType<typeof fake>;

  test('times every candidate of every distinct call and keeps the fastest', async () => {
    const before = engine.explain(run);
    expect(before.every((k) => k.by === 'auto')).toBe(true);
    timer = fake();
    records = await engine.tune(run, { ...timer.options, budgetMs: Infinity });
    // The separable call, the depthwise and pointwise calls its unfused variant makes
    // (tuned first), the 5×5 depthwise and the last pointwise.
    const keys = records.map((r) => r.key.split(' ')[0]);
    expect(keys.filter((k) => k === 'separable')).toHaveLength(1);
    expect(keys.indexOf('separable')).toBeGreaterThan(keys.indexOf('depthwise'));
    expect(records.length).toBeGreaterThanOrEqual(4);
    for (const r of records) {
      const tried = timer.seen.get(r.key) as string[];
      expect(r.candidates).toHaveLength(tried.length);
      // The fake makes the last candidate the fastest.
      expect(r).toMatchObject({ ...r.candidates.at(-1), key: r.key });
      expect(r.ms).toBe(Math.min(...r.candidates.map((c) => c.ms)));
      expect(r.version).toMatch(/^sepconv-kernels\//);
    }
    expect(JSON.parse(JSON.stringify(engine.tuning()))).toEqual(records);
    // Later calls run on the winners.
    const after = engine.explain(run);
    for (const k of after) {
      const r = records.find((x) => x.key === k.key);
      if (r) expect(k).toMatchObject({ variant: r.variant, tunables: r.tunables, by: 'tuned' });
    }
  });

  test('tuned results equal untuned ones numerically', async () => {
    const untuned = await createEngine({ backend: 'webgpu' });
    const cpu = await createEngine({ backend: 'cpu' });
    const want = await block(cpu)().read();
    const magnitude = want.map(() => 64);
    expect(firstMismatch(await run().read(), want, magnitude)).toBeNull();
    expect(firstMismatch(await block(untuned)().read(), want, magnitude)).toBeNull();
    // At least one call runs on another kernel than the untuned engine's.
    const differs = engine.explain(run).some((k, i) => {
      const u = untuned.explain(block(untuned))[i];
      return u && (u.variant !== k.variant || JSON.stringify(u.tunables) !== JSON.stringify(k.tunables));
    });
    expect(differs).toBe(true);
    untuned.destroy();
    cpu.destroy();
  });

  test('records reload to the same choices, with no timing', async () => {
    const e2 = await createEngine({ backend: 'webgpu', tuning: JSON.parse(JSON.stringify(engine.tuning())) });
    const r2 = block(e2);
    expect(e2.explain(r2)).toEqual(engine.explain(run));
    expect(e2.tuning()).toEqual(engine.tuning());
    e2.destroy();
  });

  test('a forced variant wins over tuning, and the tuner only varies what is not forced', async () => {
    const e = await createEngine({ backend: 'webgpu', kernels: { depthwise: 'vec4' }, tuning: records });
    const r = block(e);
    for (const k of e.explain(r)) if (k.op === 'depthwise') expect(k).toMatchObject({ variant: 'vec4', by: 'forced' });
    const t = fake();
    const fresh = await e.tune(r, { ...t.options, budgetMs: Infinity });
    for (const rec of fresh.filter((x) => x.key.startsWith('depthwise'))) expect(rec.candidates.every((c) => c.variant === 'vec4')).toBe(true);
    e.destroy();
  });

  test('the budget bounds the measuring: none, nothing tuned', async () => {
    const e = await createEngine({ backend: 'webgpu' });
    const t = fake();
    expect(await e.tune(block(e), { ...t.options, budgetMs: 0 })).toEqual([]);
    expect(t.seen.size).toBe(0);
    e.destroy();
  });
});

describe('tuning records from elsewhere', () => {
  test('records of another adapter or other kernels are ignored with a warning', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const records = engine.tuning();
    const foreign = records.map((r) => ({ ...r, adapter: 'someone / else / ?' }));
    const stale = records.map((r) => ({ ...r, version: 'sepconv-kernels/0' }));
    const e = await createEngine({ backend: 'webgpu', tuning: [...foreign, ...stale] });
    expect(e.tuning()).toEqual([]);
    expect(e.explain(block(e)).every((k) => k.by === 'auto')).toBe(true);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/ignored \d+ tuning record\(s\) measured on another adapter/));
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/ignored \d+ tuning record\(s\) measured with other kernels/));
    warn.mockRestore();
    e.destroy();
  });

  test('a malformed list is rejected whole, and the engine is not created', async () => {
    const records = engine.tuning();
    const broken = [...records.slice(0, 1), { ...records[0], tunables: { stripRows: 'many' } }];
    const err = await createEngine({ backend: 'webgpu', tuning: broken as never }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SepconvError);
    expect((err as SepconvError).code).toBe('INVALID_ARGUMENT');
    expect((err as Error).message).toMatch(/options\.tuning\[1\]/);
    await expect(createEngine({ backend: 'cpu', tuning: 'fast' as never })).rejects.toThrow(/options.tuning': expected an array of tuning records/);
  });

  test('tune() checks its arguments; the CPU backend has nothing to tune', async () => {
    await expect(engine.tune('x' as never)).rejects.toThrow(/sepconv.tune: argument 'fn': expected a function/);
    await expect(engine.tune(run, { budgetMs: -1 })).rejects.toThrow(/options.budgetMs/);
    await expect(engine.tune(run, { runs: 0 })).rejects.toThrow(/options.runs': expected an integer from 1 to 100/);
    const cpu = await createEngine({ backend: 'cpu' });
    expect(await cpu.tune(block(cpu))).toEqual([]);
    expect(cpu.explain(block(cpu))).toEqual([]);
    cpu.destroy();
  });
});

describe('real measurement', () => {
  test('model.tune times a MobileNetV2 with GPU timing and leaves memory as it was', async () => {
    const e = await createEngine({ backend: 'webgpu' });
    const model = await mobilenetV2({ engine: e, alpha: 0.35, inputSize: 32, classes: 10 });
    const x = e.tensor(randomData(32 * 32 * 3, 9), [1, 32, 32, 3]);
    const predict = async () => {
      const y = model.predict(x);
      const out = await y.read();
      y.dispose();
      await e.flush();
      return out;
    };
    const want = await predict();
    const inUse = e.memory().bytesInUse;
    const records = await model.tune(x, { budgetMs: 60_000, runs: 2 });
    expect(records.length).toBeGreaterThan(5);
    for (const r of records) {
      expect(r.candidates.length).toBeGreaterThanOrEqual(1);
      expect(r.candidates.every((c) => Number.isFinite(c.ms) && c.ms >= 0)).toBe(true);
      expect(r.ms).toBe(Math.min(...r.candidates.map((c) => c.ms)));
    }
    expect(firstMismatch(await predict(), want, want.map(() => 1))).toBeNull();
    // Everything tuning held or made is released.
    expect(e.memory().bytesInUse).toBeLessThanOrEqual(inUse);
    model.dispose();
    e.destroy();
  }, 300_000);
});
