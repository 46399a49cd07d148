// The benchmark's own pieces: case arithmetic (output shape, FLOPs, bytes), case
// selection, the agreement check, roofline percentage, and the result schema.
import { describe, expect, test } from 'vitest';
import suiteJson from '../../bench/shapes.json';
import { caseFlops } from '../../bench/lib/case-flops.js';
import { caseBytes, caseData, outputShape, parseSuite, QUICK_IDS, selectCases } from '../../bench/lib/cases.js';
import { parseArgs } from '../../bench/lib/cli.js';
import { agreement, assertResultSchema, markdownTable, roofPct, withRates } from '../../bench/lib/report.js';
import { median } from '../../bench/lib/stats.js';
import type { BenchCase, BenchRow } from '../../bench/lib/types.js';
import { benchResult, OP_ROW } from '../support/bench-result.js';

const suite = parseSuite(suiteJson);
const byId = (id: string) => suite.find((c) => c.id === id) as BenchCase;

describe('cases', () => {
  test('the suite parses, ids are unique, the quick set exists and covers every op', () => {
    expect(suite.length).toBe(39);
    expect(new Set(suite.map((c) => c.id)).size).toBe(suite.length);
    const quick = selectCases(suite, { quick: true });
    expect(quick.map((c) => c.id).sort()).toEqual([...QUICK_IDS].sort());
    expect(new Set(quick.map((c) => c.op))).toEqual(new Set(['depthwise', 'pointwise', 'separable', 'conv2d']));
    expect(selectCases(suite, { filter: 'pw_7x7,m4' }).map((c) => c.id)).toEqual([
      'pw_7x7_576to160', 'pw_7x7_160to960', 'pw_7x7_960to160', 'pw_7x7_960to320', 'pw_7x7_320to1280', 'dw3x3_s1_28x28x64_m4',
    ]);
    expect(() => parseSuite({ cases: [{ id: 'x', op: 'dense', input: [1, 1, 1, 1] }] })).toThrow(/bad case/);
  });

  test('output shapes, FLOPs and minimal bytes, worked out by hand', () => {
    // depthwise 3×3 s2 'same' on 112×112×96: 56×56×96 outputs, 9 MACs each.
    const dw = byId('dw3x3_s2_112x112x96');
    expect(outputShape(dw)).toEqual([1, 56, 56, 96]);
    expect(caseFlops(dw)).toBe(2 * 56 * 56 * 96 * 9);
    expect(caseBytes(dw)).toBe(4 * (112 * 112 * 96 + 9 * 96 + 56 * 56 * 96));
    // pointwise 56×56, 24 → 144
    const pw = byId('pw_56x56_24to144');
    expect(caseFlops(pw)).toBe(2 * 56 * 56 * 24 * 144);
    expect(caseBytes(pw)).toBe(4 * (56 * 56 * 24 + 24 * 144 + 56 * 56 * 144));
    // separable 3→32 on 224×224 (the seed's example): 27 + 96 MACs per pixel; weights 27 + 96
    const sep = byId('sep3x3_s1_224x224_3to32');
    expect(caseFlops(sep)).toBe(2 * 224 * 224 * (27 + 96));
    expect(caseBytes(sep)).toBe(4 * (224 * 224 * 3 + 123 + 224 * 224 * 32));
    // multiplier 4: 28×28×64 → 28×28×256
    expect(outputShape(byId('dw3x3_s1_28x28x64_m4'))).toEqual([1, 28, 28, 256]);
    // standard conv 3→32: 864 weights
    expect(caseBytes(byId('conv3x3_s1_224x224_3to32'))).toBe(4 * (224 * 224 * 3 + 864 + 224 * 224 * 32));
  });

  test('case data is deterministic and shaped for its op', () => {
    const a = caseData(byId('sep3x3_s1_56x56_128to128'));
    const b = caseData(byId('sep3x3_s1_56x56_128to128'));
    expect(a.x).toEqual(b.x);
    expect(a.depthwise?.length).toBe(9 * 128);
    expect(a.pointwise?.length).toBe(128 * 128);
    expect(a.x.every((v) => v >= -1 && v < 1)).toBe(true);
  });
});

describe('report', () => {
  test('median', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  test('agreement: within 1e-3 + 1e-3·|ref|; NaN, wrong length and real differences disagree', () => {
    const ref = Float32Array.from([0, 1, -100]);
    expect(agreement(Float32Array.from([0.0009, 1.0019, -100.1]), ref).agrees).toBe(true);
    expect(agreement(Float32Array.from([0.0011, 1, -100]), ref).agrees).toBe(false);
    expect(agreement(Float32Array.from([0, 1, -100.2]), ref)).toMatchObject({ agrees: false });
    expect(agreement(Float32Array.from([NaN, 1, -100]), ref)).toEqual({ agrees: false, maxAbsDiff: Infinity });
    expect(agreement(Float32Array.from([0, 1]), ref).agrees).toBe(false);
  });

  test('roofline percentage uses the bound at the op intensity', () => {
    const roof = { gflops: 100, gbps: 10 };
    // intensity 1 FLOP/B: bound = min(100, 10) = 10 GFLOP/s; 5 GFLOP/s achieved = 50%
    expect(roofPct(5e9, 5e9, 1, roof)).toBeCloseTo(50);
    // intensity 100 FLOP/B: compute-bound at 100 GFLOP/s; 20 achieved = 20%
    expect(roofPct(20e9, 2e8, 1, roof)).toBeCloseTo(20);
    const row: BenchRow = { case: 'c', op: 'pointwise', engine: 'sepconv-cpu', firstMs: 1, medianMs: 1000, latencyMs: 1, gflops: null, gbps: null, roofPct: null, agrees: true, maxAbsDiff: 0 };
    expect(withRates(row, 2e9, 1e9, roof)).toMatchObject({ gflops: 2, gbps: 1, roofPct: null });
    // intensity 2: bound min(100, 2·10) = 20 GFLOP/s; 2 achieved = 10%
    expect(withRates({ ...row, engine: 'tfjs-webgpu' }, 2e9, 1e9, roof).roofPct).toBeCloseTo(10);
  });

  const good = benchResult('node', [
    OP_ROW,
    { ...OP_ROW, engine: 'tfjs-webgpu', medianMs: 4, latencyMs: 5, gflops: 0.5, gbps: 0.2, roofPct: 25 },
    { ...OP_ROW, engine: 'ort-webgpu', firstMs: null, medianMs: null, latencyMs: null, gflops: null, gbps: null, roofPct: null, agrees: false, maxAbsDiff: 3 },
  ]);

  test('the result schema accepts a well-formed result and names what is wrong otherwise', () => {
    expect(() => assertResultSchema(good)).not.toThrow();
    expect(() => assertResultSchema({ ...good, roofline: { gflops: 0, gbps: 1 } })).toThrow(/roofline/);
    expect(() => assertResultSchema({ ...good, rows: [{ ...good.rows[0]!, engine: 'webgl' }] })).toThrow(/rows\[0\]\.engine/);
    expect(() => assertResultSchema({ ...good, rows: [{ ...good.rows[0]!, medianMs: '2' }] })).toThrow(/rows\[0\]\.medianMs/);
    expect(() => assertResultSchema({ ...good, date: 'yesterday' })).toThrow(/date/);
  });

  test('the Markdown table shows medians, roofline shares, the speed-up and what was not timed', () => {
    const md = markdownTable(good, ['sepconv-webgpu', 'tfjs-webgpu', 'ort-webgpu']);
    expect(md).toContain('| case | op | sepconv-webgpu ms | tfjs-webgpu ms | ort-webgpu ms | sepconv vs tfjs-webgpu |');
    expect(md).toContain('| pw_x | pointwise | 2.00 (50%) | 4.00 (25%) | disagrees | 2.00× |');
    expect(md).toMatch(/Adapter: google \/ swiftshader \(node\); 2026-11-27/);
    expect(md).toMatch(/Not timed: pw_x\/ort-webgpu \(disagrees\)/);
  });

  test('command-line options', () => {
    expect(parseArgs(['--quick', '--filter', 'dw3x3', '--runs=7'])).toEqual({ quick: true, tuned: false, filter: 'dw3x3', runs: 7 });
    expect(parseArgs(['--tuned']).tuned).toBe(true);
    expect(() => parseArgs(['--runs', '3'])).toThrow(/--runs must be an integer ≥ 5/);
    expect(() => parseArgs(['--fast'])).toThrow(/unknown option --fast/);
    expect(parseArgs(['--threads', '2']).threads).toBe(2);
    expect(parseArgs(['--threads=4']).threads).toBe(4);
    expect(parseArgs([]).threads).toBeUndefined();
    for (const bad of ['0', '1.5', 'x']) expect(() => parseArgs(['--threads', bad])).toThrow(/--threads must be a positive integer/);
  });
});
