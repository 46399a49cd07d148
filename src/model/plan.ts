// The memory plan of a lowered graph at one batch size: intermediate tensors
// share buffers by liveness. A view shares its source's buffer (so the source
// lives as long as any view is read); the outputs, and what they view, get
// buffers of their own, since the caller keeps them.

import type { Lowered } from './lower.js';
import { physicalShape } from './lower.js';

/** The intermediate-memory plan of a forward pass at one batch size. */
export interface MemoryPlan {
  batch: number;
  /** Buffers the plan uses; each holds a succession of intermediate tensors whose lifetimes do not overlap. */
  buffers: number;
  /** Bytes of those buffers: the intermediate memory a forward pass needs. */
  peakBytes: number;
  /** Bytes all intermediate tensors would take if each had its own buffer. */
  activationBytes: number;
}

export interface PlannedMemory {
  plan: MemoryPlan;
  /** Planned buffer of each tensor written into one (by tensor id). */
  slotOf: Map<number, number>;
  /** Elements of each buffer (whole vec4s: kernels may bind them as arrays of vec4). */
  sizes: number[];
}

/** The tensor whose storage `id` uses (itself unless a view). */
export function rootOf(l: Lowered, id: number): number {
  let t = l.tensors.get(id);
  while (t && t.viewOf !== null) t = l.tensors.get(t.viewOf);
  return t ? t.id : id;
}

export function planMemory(l: Lowered, batch: number): PlannedMemory {
  const views = new Set(l.steps.filter((s) => s.kind === 'view').map((s) => s.write));
  const kept = new Set(l.outputs.map((o) => rootOf(l, o)));
  const elements = (id: number) => {
    const t = l.tensors.get(id);
    if (!t) return 0;
    return physicalShape(t.shape, t.order).reduce((a, d) => a * (d < 0 ? batch : d), 1);
  };
  // Last step reading each planned buffer's tensor (through any view of it).
  const lastUse = new Map<number, number>();
  l.steps.forEach((s, i) => {
    for (const r of s.reads) if (r >= 0) lastUse.set(rootOf(l, r), i);
  });
  const sizes: number[] = [];
  const free: number[] = [];
  const slotOf = new Map<number, number>();
  let activationBytes = 0;
  l.steps.forEach((s, i) => {
    const root = s.write;
    if (!views.has(root) && !kept.has(root)) {
      const n = elements(root);
      const need = Math.ceil(n / 4) * 4;
      activationBytes += 4 * n;
      // Best fit among free buffers (smallest that holds it, else the largest, grown).
      let pick = -1;
      for (const b of free) {
        const size = sizes[b] as number;
        if (size >= need && (pick < 0 || size < (sizes[pick] as number))) pick = b;
      }
      if (pick < 0 && free.length) pick = free.reduce((a, b) => ((sizes[a] as number) >= (sizes[b] as number) ? a : b));
      if (pick < 0) {
        pick = sizes.length;
        sizes.push(need);
      } else {
        free.splice(free.indexOf(pick), 1);
        sizes[pick] = Math.max(sizes[pick] as number, need);
      }
      slotOf.set(root, pick);
    }
    // Buffers whose last reader is this step are free only now: a step never writes what it reads.
    for (const r of new Set(s.reads.map((x) => rootOf(l, x)))) {
      const slot = slotOf.get(r);
      if (slot !== undefined && lastUse.get(r) === i) free.push(slot);
    }
  });
  return { plan: { batch, buffers: sizes.length, peakBytes: sizes.reduce((a, b) => a + 4 * b, 0), activationBytes }, slotOf, sizes };
}
