// Running a model as the panels report it: one predict with the read-back of every
// output, timed runs after a first one (which compiles the shaders on first use) for
// the median the panels show, and the top values of an output.

import type { Model, Tensor } from 'sepconv';

/** Timed runs after the first: at least MIN_RUNS, more (up to MAX_RUNS) while they take under BUDGET_MS in all. */
export const MIN_RUNS = 3;
export const MAX_RUNS = 9;
const BUDGET_MS = 1500;

/** One predict and the read-back of every output: their data in `model.outputs` order, and the wall-clock ms of both. */
export async function predictRead(model: Model, feeds: Record<string, Tensor>): Promise<{ ms: number; outputs: Float32Array[] }> {
  const t = performance.now();
  const outs = model.predict(feeds);
  try {
    const outputs = await Promise.all(model.outputs.map((o) => (outs[o.name] as Tensor).read()));
    return { ms: performance.now() - t, outputs };
  } finally {
    for (const y of Object.values(outs)) y.dispose();
  }
}

/**
 * Runs `run` MIN_RUNS to MAX_RUNS times (stopping once BUDGET_MS have passed after
 * MIN_RUNS), calling `before(i)` ahead of run i (to show progress); the times and the last result.
 */
export async function timedRuns<T extends { ms: number }>(run: () => Promise<T>, before?: (i: number) => Promise<void>): Promise<{ times: number[]; last: T }> {
  const times: number[] = [];
  let last: T | undefined;
  const t0 = performance.now();
  while (times.length < MAX_RUNS && (times.length < MIN_RUNS || performance.now() - t0 < BUDGET_MS)) {
    await before?.(times.length);
    last = await run();
    times.push(last.ms);
  }
  return { times, last: last as T };
}

/** Indices of the k largest values, largest first. */
export function topK(values: Float32Array, k: number): number[] {
  const top: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (top.length === k && v <= (values[top[k - 1] as number] as number)) continue;
    let j = Math.min(top.length, k - 1);
    top[j] = i;
    while (j > 0 && (values[top[j - 1] as number] as number) < v) {
      top[j] = top[j - 1] as number;
      top[j - 1] = i;
      j--;
    }
  }
  return top;
}
