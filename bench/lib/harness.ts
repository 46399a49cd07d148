// Runs cases on engines the way KERNELS.md asks: verify first, warm up, then
// alternate engines run by run, and report the first run, the steady median and
// the single-op latency separately.

import { loadCase } from './networks.js';
import { agreement, caseTolerance, withRates } from './report.js';
import { errorLine, median } from './stats.js';
import type { BenchCase, BenchEngine, BenchRow, PreparedCase } from './types.js';

export interface HarnessOptions {
  /** Timed runs per (case, engine); at least 5. */
  runs: number;
  /** Untimed runs after the first. */
  warmup: number;
  /** Steady runs queue k ops with k chosen so a run takes about this long (k ≤ 32). */
  targetMs: number;
  roofline: { gflops: number; gbps: number };
  now: () => number;
  onProgress: (line: string) => void;
}

/**
 * Runs every case on every engine. `reference` (sepconv-cpu) gives the output all
 * engines are checked against; it may also be one of `engines`.
 */
export async function runCases(
  cases: readonly BenchCase[],
  engines: readonly BenchEngine[],
  reference: BenchEngine,
  o: HarnessOptions,
): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const [ci, c] of cases.entries()) {
    const tag = `[${ci + 1}/${cases.length}] ${c.id}`;
    o.onProgress(`${tag}: generating the data`);
    const { data, flops, bytes } = await loadCase(c);
    const tolerance = caseTolerance(c);
    o.onProgress(`${tag}: reference (sepconv-cpu)`);
    const refPrepared = await reference.prepare(c, data);
    const ref = await refPrepared.run(1);
    await refPrepared.dispose();

    // First run of each engine (prepare + one op + readback), then the agreement check.
    const live: { engine: BenchEngine; prepared: PreparedCase; row: BenchRow; k: number; steady: number[]; latency: number[] }[] = [];
    for (const engine of engines) {
      if (engine.supports && !engine.supports(c)) continue; // not part of this case: no row
      o.onProgress(`${tag}: ${engine.name} first run`);
      const row: BenchRow = {
        case: c.id,
        op: c.op,
        ...(c.network && { network: c.network }),
        engine: engine.name,
        firstMs: null,
        medianMs: null,
        latencyMs: null,
        gflops: null,
        gbps: null,
        roofPct: null,
        agrees: false,
        maxAbsDiff: null,
      };
      rows.push(row);
      let prepared: PreparedCase | null = null;
      try {
        const t0 = o.now();
        prepared = await engine.prepare(c, data);
        const out = await prepared.run(1);
        row.firstMs = o.now() - t0;
        const a = agreement(out, ref, tolerance);
        row.agrees = a.agrees;
        row.maxAbsDiff = a.maxAbsDiff;
        if (!a.agrees) {
          await prepared.dispose();
          continue;
        }
        for (let i = 0; i < o.warmup; i++) await prepared.run(1);
        const t1 = o.now();
        await prepared.run(1);
        const single = Math.max(o.now() - t1, 1e-3);
        const k = Math.max(1, Math.min(32, Math.round(o.targetMs / single)));
        live.push({ engine, prepared, row, k, steady: [], latency: [] });
      } catch (e) {
        row.error = errorLine(e);
        row.agrees = false;
        if (prepared) await Promise.resolve(prepared.dispose()).catch(() => {});
      }
    }

    // Timed runs, engines alternating (the starting engine rotates every run).
    for (let r = 0; r < o.runs; r++) {
      o.onProgress(`${tag}: timed run ${r + 1}/${o.runs}`);
      for (let j = 0; j < live.length; j++) {
        const l = live[(j + r) % live.length]!;
        if (l.row.error) continue;
        try {
          const t0 = o.now();
          await l.prepared.run(l.k);
          l.steady.push((o.now() - t0) / l.k);
          const t1 = o.now();
          await l.prepared.run(1);
          l.latency.push(o.now() - t1);
        } catch (e) {
          l.row.error = errorLine(e);
        }
      }
    }
    for (const l of live) {
      if (!l.row.error) {
        l.row.medianMs = median(l.steady);
        l.row.latencyMs = median(l.latency);
        Object.assign(l.row, withRates(l.row, flops, bytes, o.roofline));
      }
      await Promise.resolve(l.prepared.dispose()).catch(() => {});
    }
  }
  return rows;
}
