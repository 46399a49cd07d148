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

/** Candidates within this factor of the fastest are timed again. */
const CONTENDERS = 1.25;
/** How many more times they are timed. */
const CONFIRMATIONS = 2;

export interface SearchResult {
  key: string;
  winner: TuningCandidate;
  candidates: TuningCandidate[];
}

/**
 * Tunes each task in order. Every task gets a fair share of the budget left
 * (what remains divided by the tasks remaining); within its share it times its
 * candidates in order, always at least the first while any budget is left, then
 * times the contenders (within 25% of the fastest) twice more, alternating, each
 * keeping its fastest time. A task whose measured candidates all failed, or that
 * got no time, gets no result; so does a task with a single candidate (nothing to
 * choose).
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
    const measured: { candidate: C; timed: TuningCandidate }[] = [];
    for (const [j, candidate] of task.candidates.entries()) {
      const now = o.clock();
      if (now - start >= o.budgetMs || (j > 0 && now - t0 >= share)) break;
      try {
        measured.push({ candidate, timed: { ...o.describe(candidate), ms: await o.measure(task, candidate) } });
      } catch (e) {
        o.onError?.(task, candidate, e);
      }
    }
    if (measured.length === 0) continue;
    // A second look at the contenders (within CONTENDERS of the fastest), alternating,
    // while the share lasts: a candidate that looked fast once through the machine's
    // noise must look fast again. Each keeps its fastest look.
    for (let round = 0; round < CONFIRMATIONS; round++) {
      const best = Math.min(...measured.map((m) => m.timed.ms));
      const contenders = measured.filter((m) => m.timed.ms <= best * CONTENDERS);
      if (contenders.length < 2) break;
      for (const m of contenders) {
        const now = o.clock();
        if (now - start >= o.budgetMs || now - t0 >= share) break;
        try {
          m.timed.ms = Math.min(m.timed.ms, await o.measure(task, m.candidate));
        } catch (e) {
          o.onError?.(task, m.candidate, e);
        }
      }
    }
    const candidates = measured.map((m) => m.timed);
    // The first fastest: ties keep the cost model's order.
    const winner = candidates.reduce((b, m) => (m.ms < b.ms ? m : b));
    results.push({ key: task.key, winner, candidates });
  }
  return results;
}
