// Typed reads of a Keras layer's config, each failing with a BAD_MODEL that
// names the layer and the key. Configs are snake_case as model.json stores
// them (tfjs-layers converts its camelCase options on save).

import { badModel } from './errors.js';
import { isRecord, type KerasLayer } from './topology.js';

export class LayerConfig {
  constructor(readonly layer: KerasLayer) {}

  /** "layer 'conv1' (Conv2D)", the place errors name. */
  get where(): string {
    return `layer '${this.layer.name}' (${this.layer.className})`;
  }

  has(key: string): boolean {
    return this.layer.config[key] !== undefined && this.layer.config[key] !== null;
  }

  raw(key: string): unknown {
    return this.layer.config[key];
  }

  fail(key: string, expected: string): never {
    throw badModel(`${this.where}: ${key}`, `${JSON.stringify(this.layer.config[key]) ?? 'missing'} is not ${expected}`, expected, JSON.stringify(this.layer.config[key]) ?? 'missing');
  }

  number(key: string, fallback?: number): number {
    const v = this.layer.config[key];
    if ((v === undefined || v === null) && fallback !== undefined) return fallback;
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    return this.fail(key, 'a finite number');
  }

  /** A number, or null when the key is missing or null. */
  optionalNumber(key: string): number | null {
    return this.has(key) ? this.number(key) : null;
  }

  positiveInt(key: string, fallback?: number): number {
    const v = this.number(key, fallback);
    if (Number.isInteger(v) && v > 0) return v;
    return this.fail(key, 'a positive integer');
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.layer.config[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v === 'boolean') return v;
    return this.fail(key, 'true or false');
  }

  string<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
    const v = this.layer.config[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
    return this.fail(key, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
  }

  /** A kernel size, stride or dilation: one positive integer or [vertical, horizontal]. */
  pair(key: string, fallback?: [number, number]): [number, number] {
    const v = this.layer.config[key];
    if ((v === undefined || v === null) && fallback) return fallback;
    const ok = (d: unknown): d is number => typeof d === 'number' && Number.isInteger(d) && d > 0;
    if (ok(v)) return [v, v];
    if (Array.isArray(v) && v.length === 2 && ok(v[0]) && ok(v[1])) return [v[0], v[1]];
    return this.fail(key, 'a positive integer or a pair of them');
  }

  /** An axis (BatchNormalization writes [axis] in some Keras versions), normalised into [0, rank). */
  axis(key: string, fallback: number, rank: number): number {
    let v = this.layer.config[key];
    if (Array.isArray(v) && v.length === 1) v = v[0];
    const a = v === undefined || v === null ? fallback : v;
    if (typeof a !== 'number' || !Number.isInteger(a) || a < -rank || a >= rank) {
      return this.fail(key, `an axis of a rank-${rank} input (−${rank} … ${rank - 1})`);
    }
    return a < 0 ? a + rank : a;
  }

  /** The config value as a nested { class_name, config } object, if it is one. */
  object(key: string): Record<string, unknown> | null {
    const v = this.layer.config[key];
    return isRecord(v) ? v : null;
  }
}
