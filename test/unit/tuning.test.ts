// The tuner without a GPU: the search with an injected clock and measurement,
// call keys, and the checks tuning records pass before an engine uses them.
import { describe, expect, test, vi } from 'vitest';
import { callKey } from '../../src/tuning/key.js';
import { adapterName, applicableRecords, checkTuningRecords, TUNING_VERSION, type TuningRecord } from '../../src/tuning/records.js';
import { searchFastest, type TuningTask } from '../../src/tuning/search.js';

/** A fake clock that measurements advance: each candidate "takes" its time × runs. */
function fakeTimer(times: Record<string, number>, runs = 5) {
  let now = 0;
  const measured: string[] = [];
  return {
    measured,
    clock: () => now,
    measure: async (task: TuningTask<string>, c: string) => {
      measured.push(`${task.key}:${c}`);
      const ms = times[`${task.key}:${c}`];
      if (ms === undefined) throw new Error(`no time for ${task.key}:${c}`);
      now += ms * (runs + 1); // warm-up + timed runs
      return ms;
    },
    describe: (c: string) => ({ variant: c, tunables: {} }),
  };
}

describe('searchFastest', () => {
  const tasks: TuningTask<string>[] = [
    { key: 'a', candidates: ['a0', 'a1', 'a2'] },
    { key: 'b', candidates: ['b0', 'b1'] },
  ];
  const times = { 'a:a0': 3, 'a:a1': 1, 'a:a2': 2, 'b:b0': 1, 'b:b1': 1 };

  test('picks the fastest candidate; ties keep the cost model order', async () => {
    const t = fakeTimer(times);
    const results = await searchFastest(tasks, { ...t, budgetMs: 1e9 });
    expect(results.map((r) => [r.key, r.winner.variant, r.winner.ms])).toEqual([
      ['a', 'a1', 1],
      ['b', 'b0', 1],
    ]);
    expect(results[0]?.candidates.map((c) => c.variant)).toEqual(['a0', 'a1', 'a2']);
  });

  test('respects the budget: fair shares, no measurement starts after it is spent', async () => {
    // Budget 40: task a gets a share of 20 → a0 (18 ms of clock) and a1 (6), then stops
    // (a1 has no contender to confirm against); task b gets what is left (16): b0 (6),
    // b1 (6), and a second look at b0 (the two tie) before the budget runs out.
    const t = fakeTimer(times);
    const results = await searchFastest(tasks, { ...t, budgetMs: 40 });
    expect(t.measured).toEqual(['a:a0', 'a:a1', 'b:b0', 'b:b1', 'b:b0']);
    expect(results.map((r) => r.winner.variant)).toEqual(['a1', 'b0']);
    // A budget spent on the first task leaves the second untuned.
    const t2 = fakeTimer({ ...times, 'a:a0': 100 });
    const r2 = await searchFastest(tasks, { ...t2, budgetMs: 50 });
    expect(t2.measured).toEqual(['a:a0']);
    expect(r2.map((r) => r.key)).toEqual(['a']);
    expect(t2.clock()).toBeLessThanOrEqual(50 + 100 * 6);
    // No budget: nothing measured.
    const t3 = fakeTimer(times);
    expect(await searchFastest(tasks, { ...t3, budgetMs: 0 })).toEqual([]);
    expect(t3.measured).toEqual([]);
  });

  test('contenders are timed again: a candidate slowed once by the machine gets another look', async () => {
    // Interference only ever adds time, so each candidate keeps its fastest look.
    // c0 really takes 1.0 but its first look caught interference (1.2); c1 is a steady 1.1.
    let now = 0;
    const looks: Record<string, number[]> = { c0: [1.2, 1.0, 1.0], c1: [1.1, 1.1, 1.1], c2: [2, 2, 2] };
    const seen: string[] = [];
    const results = await searchFastest([{ key: 'c', candidates: ['c0', 'c1', 'c2'] }], {
      budgetMs: 1e9,
      clock: () => now,
      describe: (c: string) => ({ variant: c, tunables: {} }),
      measure: async (_t, c: string) => {
        seen.push(c);
        now += 1;
        return looks[c]!.shift() as number;
      },
    });
    // c2 is not within 25% of the fastest: not looked at again.
    expect(seen).toEqual(['c0', 'c1', 'c2', 'c0', 'c1', 'c0', 'c1']);
    expect(results[0]?.winner.variant).toBe('c0');
    expect(results[0]?.candidates.map((c) => c.ms)).toEqual([1, 1.1, 2]);
  });

  test('a failing candidate is skipped and reported; a single-candidate task is not timed', async () => {
    const t = fakeTimer({ 'a:a0': 3, 'a:a2': 2 });
    const onError = vi.fn();
    const results = await searchFastest([...tasks.slice(0, 1), { key: 'c', candidates: ['c0'] }], { ...t, budgetMs: 1e9, onError });
    expect(onError).toHaveBeenCalledTimes(1);
    expect(results.map((r) => [r.key, r.winner.variant])).toEqual([['a', 'a2']]);
    expect(t.measured).not.toContain('c:c0');
  });
});

describe('call keys', () => {
  test('every parameter and optional input is in the key, sorted and flat', () => {
    const params = { pixels: 3136, inChannels: 24, outChannels: 144, act: { activation: 'relu6', alpha: 0 } };
    const key = callKey('pointwise', { params, bias: true, residual: true, depthwiseBias: false });
    expect(key).toBe('pointwise act=relu6/0 inChannels=24 outChannels=144 pixels=3136 +bias +residual');
    expect(callKey('pointwise', { params: { ...params, pixels: 3137 }, bias: true, residual: true, depthwiseBias: false })).not.toBe(key);
    expect(callKey('pointwise', { params, bias: true, residual: false, depthwiseBias: false })).not.toBe(key);
    const geometry = { pad: { top: 1, bottom: 0, left: 1, right: 0 }, kH: 3 };
    expect(callKey('depthwise', { params: geometry, bias: false, residual: false, depthwiseBias: false })).toBe('depthwise kH=3 pad=0/1/0/1');
  });
});

describe('tuning records', () => {
  const adapter = adapterName({ vendor: 'acme', architecture: 'x1', description: '' });
  const record: TuningRecord = {
    key: 'depthwise batch=1',
    adapter,
    version: TUNING_VERSION,
    variant: '3x3',
    tunables: { stripRows: 4 },
    ms: 1.5,
    candidates: [
      { variant: '3x3', tunables: { stripRows: 4 }, ms: 1.5 },
      { variant: 'vec4', tunables: {}, ms: 2 },
    ],
  };

  test('well-formed records pass (as copies) and survive JSON', () => {
    const checked = checkTuningRecords(JSON.parse(JSON.stringify([record])));
    expect(checked).toEqual([record]);
    expect(adapter).toBe('acme / x1 / ?');
  });

  test('malformed records are rejected whole, naming the field', () => {
    const bad = (r: unknown, pattern: RegExp) => expect(() => checkTuningRecords([record, r])).toThrow(pattern);
    expect(() => checkTuningRecords({})).toThrow(/options.tuning': expected an array of tuning records/);
    bad(null, /options.tuning\[1\]': expected a tuning record object/);
    bad({ ...record, key: 'matmul 1' }, /options.tuning\[1\].key': expected a call key starting with one of depthwise, pointwise, conv2d, separable/);
    bad({ ...record, variant: '7x7' }, /options.tuning\[1\].variant': expected a depthwise variant of this sepconv, got '7x7'/);
    bad({ ...record, tunables: { stripRows: 0 } }, /options.tuning\[1\].tunables.stripRows': expected an integer from 1 to 64, got 0/);
    bad({ ...record, tunables: { tileN: 8 } }, /options.tuning\[1\].tunables.tileN': expected a tunable of depthwise '3x3' \(stripRows\)/);
    bad({ ...record, ms: -1 }, /options.tuning\[1\].ms': expected a non-negative number/);
    bad({ ...record, adapter: 3 }, /options.tuning\[1\].adapter': expected a string/);
    bad({ ...record, candidates: [{ variant: 'vec4', tunables: {}, ms: 'fast' }] }, /options.tuning\[1\].candidates\[0\].ms'/);
  });

  test('records of another adapter or other kernels are dropped with a warning', () => {
    const warn = vi.fn();
    const other = { ...record, key: 'depthwise batch=2', adapter: 'other / gpu / ?' };
    const stale = { ...record, key: 'depthwise batch=3', version: 'sepconv-kernels/00000000' };
    const kept = applicableRecords([record, other, stale], adapter, warn);
    expect([...kept.keys()]).toEqual(['depthwise batch=1']);
    expect(warn.mock.calls.map((c) => c[0])).toEqual([
      expect.stringMatching(/ignored 1 tuning record\(s\) measured on another adapter \(this one is 'acme \/ x1 \/ \?'\)/),
      expect.stringMatching(/ignored 1 tuning record\(s\) measured with other kernels/),
    ]);
  });
});
