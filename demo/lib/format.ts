// Number formatting for the page: counts, bytes and milliseconds.

const intFormat = new Intl.NumberFormat('en-US');

/** 864 → "864", 1728 → "1,728". */
export function fmtInt(n: number): string {
  return intFormat.format(n);
}

/** Three significant digits at most: 684.3 → "684", 13.52 → "13.5", 2.104 → "2.10". */
function fmt3(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
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
    if (n >= v) return `${fmt3(n / v)} ${u}`;
  }
  return fmtInt(n);
}

/** Bytes in binary units: 700_416 → "684 KiB", 14_155_936 → "13.5 MiB". */
export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const [v, u] = n < 1024 ** 2 ? [n / 1024, 'KiB'] : n < 1024 ** 3 ? [n / 1024 ** 2, 'MiB'] : [n / 1024 ** 3, 'GiB'];
  return `${fmt3(v)} ${u}`;
}

/** Milliseconds with sensible precision: 123.4 → "123 ms", 12.34 → "12.3 ms", 1.234 → "1.23 ms"; '–' when not finite. */
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  return `${fmt3(ms)} ms`;
}
