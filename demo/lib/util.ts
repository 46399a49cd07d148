// Small DOM, formatting and scheduling helpers shared by the page's sections.

export function el<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`demo: missing element #${id}`);
  return node as T;
}

export function setText(id: string, text: string, title?: string): void {
  const node = el(id);
  node.textContent = text;
  if (title !== undefined) node.title = title;
}

const intFormat = new Intl.NumberFormat('en-US');

/** 864 → "864", 1728 → "1,728". */
export function fmtInt(n: number): string {
  return intFormat.format(n);
}

/** A count in short form: 864 → "864", 86_704_128 → "86.7 M", 2.1e9 → "2.10 G". */
export function fmtShort(n: number): string {
  const units: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  if (n < 1e4) return fmtInt(n);
  for (const [v, u] of units) {
    if (n >= v) {
      const x = n / v;
      return `${x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)} ${u}`;
    }
  }
  return fmtInt(n);
}

/** Bytes in binary units: 700_416 → "684 KiB", 14_155_936 → "13.5 MiB". */
export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const [v, u] = n < 1024 ** 2 ? [n / 1024, 'KiB'] : n < 1024 ** 3 ? [n / 1024 ** 2, 'MiB'] : [n / 1024 ** 3, 'GiB'];
  return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ${u}`;
}

/** Milliseconds with sensible precision. */
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** A CSS custom property of the page (colours for the charts), '' when unset. */
export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

/** Resolves after the next frame is painted (or 50 ms, in a background tab): lets status text show between long steps. */
export function nextFrame(): Promise<void> {
  return new Promise((resolve) => {
    requestAnimationFrame(() => setTimeout(resolve, 0));
    setTimeout(resolve, 50);
  });
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

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
