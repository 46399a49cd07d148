// Small helpers shared by the bench and the demo: statistics of timings, and the
// text of a caught error.

/** The median of `values` (the mean of the middle two for an even count); throws on an empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of nothing');
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** The message of a caught value: an Error's message, anything else as a string. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The first line of {@link errorText}, for a table cell. */
export function errorLine(e: unknown): string {
  return errorText(e).split('\n')[0] as string;
}
