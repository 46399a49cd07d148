// Scheduling of the page's async work: one GPU task at a time, and coalesced reruns.

let chain: Promise<unknown> = Promise.resolve();

/** Runs GPU work one task at a time, so timings of one section are not inflated by another's. */
export function exclusive<T>(fn: () => Promise<T>): Promise<T> {
  const run = chain.then(fn);
  chain = run.catch(() => undefined);
  return run;
}

/**
 * Wraps an async task so that calls while it runs coalesce into one more run
 * afterwards: rapid edits never queue up, and the last state is always computed.
 * `onBusy(true)` is called when work is requested, `onBusy(false)` once all of it is done.
 */
export function coalesce(task: () => Promise<void>, onError: (e: unknown) => void, onBusy?: (busy: boolean) => void): () => void {
  let running = false;
  let dirty = false;
  return () => {
    dirty = true;
    onBusy?.(true);
    if (running) return;
    running = true;
    void (async () => {
      while (dirty) {
        dirty = false;
        try {
          await task();
        } catch (e) {
          onError(e);
        }
      }
      running = false;
      onBusy?.(false);
    })();
  };
}
