// A benchmark result to feed the report's checks and tables (test/unit/bench*.test.ts).
import type { BenchResult, BenchRow } from '../../bench/lib/types.js';

/** A single-op row of sepconv-webgpu: 2 ms median, 50% of the roofline, agreeing. */
export const OP_ROW: BenchRow = { case: 'pw_x', op: 'pointwise', engine: 'sepconv-webgpu', firstMs: 10, medianMs: 2, latencyMs: 3, gflops: 1, gbps: 0.5, roofPct: 50, agrees: true, maxAbsDiff: 1e-6 };

/** A result of `rows` on SwiftShader, with a 2 GFLOP/s, 1 GB/s roofline. */
export function benchResult(host: string, rows: BenchRow[]): BenchResult {
  return {
    adapter: { vendor: 'google', architecture: 'swiftshader', description: '' },
    date: '2026-11-27T00:00:00.000Z',
    host,
    roofline: { gflops: 2, gbps: 1 },
    rows,
  };
}
