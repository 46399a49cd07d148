// The tuner's search: for each call, time candidates (best guesses first) within
// a time budget and keep the fastest. Pure logic: the measurement and the clock
// are injected, so tests drive it with fake times.

import type { TuningCandidate } from './records.js';

/** One call to tune and the candidates to time, best guess first. */
export interface TuningTask<C> {
  key: string;
  candidates: readonly C[];
}

export interface SearchOptions<C> {
  /** Median milliseconds per run of a candidate (a rejected promise skips it). */
  measure(task: TuningTask<C>, candidate: C): Promise<number>;
  /** Milliseconds since some origin (performance.now in the engine). */
  clock(): number;
  /** No measurement starts once this much time has passed since the search began. */
  budgetMs: number;
  /** How a candidate is written into a record. */
  describe(candidate: C): Omit<TuningCandidate, 'ms'>;
  /** Called when a candidate fails to run. */
  onError?(task: TuningTask<C>, candidate: C, error: unknown): void;
}

export interface SearchResult {
  key: string;
  winner: TuningCandidate;
  candidates: TuningCandidate[];
}

/**
 * Tunes each task in order. Every task gets a fair share of the budget left
 * (what remains divided by the tasks remaining); within its share it times its
 * candidates in order, always at least the first while any budget is left. A task
 * whose measured candidates all failed, or that got no time, gets no result; so
 * does a task with a single candidate (nothing to choose).
 */
export async function searchFastest<C>(tasks: readonly TuningTask<C>[], o: SearchOptions<C>): Promise<SearchResult[]> {
  const start = o.clock();
  const results: SearchResult[] = [];
  for (const [i, task] of tasks.entries()) {
    if (task.candidates.length < 2) continue;
    const left = o.budgetMs - (o.clock() - start);
    if (left <= 0) break;
    const share = left / (tasks.length - i);
    const t0 = o.clock();
    const measured: TuningCandidate[] = [];
    for (const [j, candidate] of task.candidates.entries()) {
      const now = o.clock();
      if (now - start >= o.budgetMs || (j > 0 && now - t0 >= share)) break;
      try {
        measured.push({ ...o.describe(candidate), ms: await o.measure(task, candidate) });
      } catch (e) {
        o.onError?.(task, candidate, e);
      }
    }
    if (measured.length === 0) continue;
    // The first fastest: ties keep the cost model's order.
    const winner = measured.reduce((best, m) => (m.ms < best.ms ? m : best));
    results.push({ key: task.key, winner, candidates: measured });
  }
  return results;
}
