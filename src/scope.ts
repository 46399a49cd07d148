// tidy() and keep(): which tensors a tidy scope disposes when it ends. Every
// tensor made while a scope is open joins the innermost one; when it closes, all
// but the tensors it returns and the kept ones are disposed.

import { Tensor } from './tensor.js';
import { invalid } from './validate.js';

/** The open tidy() scopes of one engine and the tensors exempt from them. */
export class TensorScopes {
  /** Open scopes, innermost last. */
  private readonly open: Set<Tensor>[] = [];
  /** Tensors passed to keep(): never disposed by a scope. */
  private kept = new WeakSet<Tensor>();

  /** Registers a new tensor with the innermost open scope (if any); returns it. */
  track(t: Tensor): Tensor {
    this.open[this.open.length - 1]?.add(t);
    return t;
  }

  /** Exempts `t` from disposal by the enclosing scopes. */
  keep(t: Tensor): void {
    this.kept.add(t);
  }

  /** Forgets every keep() (after engine.recover(), the kept tensors are unusable anyway). */
  forgetKept(): void {
    this.kept = new WeakSet();
  }

  /**
   * Runs `fn` in a new scope. Tensors it returns (itself, or inside arrays and plain
   * objects) move to the enclosing scope; the others made inside are disposed, unless
   * kept. When `fn` throws or returns a Promise, every tensor made inside is disposed.
   */
  run<T>(op: string, fn: () => T): T {
    const scope = new Set<Tensor>();
    this.open.push(scope);
    let result: T;
    try {
      result = fn();
    } catch (e) {
      this.open.pop();
      for (const t of scope) t.dispose();
      throw e;
    }
    this.open.pop();
    if (result instanceof Promise) {
      for (const t of scope) t.dispose();
      throw invalid(op, 'fn', 'a synchronous function (tensors cannot outlive an async scope)', 'a function returning a Promise');
    }
    const returned = new Set<Tensor>();
    collectTensors(result, returned);
    for (const t of scope) {
      if (returned.has(t)) this.track(t);
      else if (!this.kept.has(t)) t.dispose();
    }
    return result;
  }
}

/** Adds every Tensor in `value` (itself, or inside arrays and plain objects) to `out`. */
export function collectTensors(value: unknown, out: Set<Tensor>, seen = new Set<unknown>()): void {
  if (value instanceof Tensor) {
    out.add(value);
    return;
  }
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (Array.isArray(value)) for (const v of value) collectTensors(v, out, seen);
  else if (Object.getPrototypeOf(value) === Object.prototype) for (const v of Object.values(value)) collectTensors(v, out, seen);
}
