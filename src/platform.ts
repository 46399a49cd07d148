// What the library needs to know about where it runs: Node or a browser, and
// how to import a Node-only module without bundlers pulling it into browser
// builds (a computed specifier, resolved at run time).

/** True in Node (where `navigator.gpu` and `fetch` of files are not the way). */
export function isNode(): boolean {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof proc?.versions?.node === 'string';
}

/** Imports a module by a name bundlers do not see (Node built-ins, optional packages). */
export function importAtRunTime<T>(specifier: string): Promise<T> {
  return import(/* @vite-ignore */ specifier) as Promise<T>;
}
