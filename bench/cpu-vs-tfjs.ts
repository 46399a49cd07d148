// The CPU backend against TF.js's CPU backend on every case of bench/shapes.json.
//
//   npx tsx bench/cpu-vs-tfjs.ts [--runs 5] [--filter dw3x3,pw_7x7]
//
// Calls sepconv's CPU functions directly (src/cpu/*), not through the package: the
// package entry pulls in the WebGPU backend, whose `.wgsl?raw` imports only a bundler
// can load. Each case: one warm-up run of each, then `runs` runs alternating ours and
// TF.js's, median of each; the outputs must agree within 1e-3 + 1e-3·|tfjs|.
// Prints per-case medians, the ratio TF.js / ours (> 1: ours is faster) and the
// geometric mean of the ratios.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { conv2dCpu } from '../src/cpu/conv2d.js';
import { depthwiseConv2dCpu } from '../src/cpu/depthwise.js';
import { pointwiseConv2dCpu } from '../src/cpu/pointwise.js';
import type { ActivationSpec } from '../src/activation.js';
import { convGeometry } from '../src/shape.js';
import type { BenchCase } from './lib/types.js';

// --- the suite's data, as bench/lib/cases.ts makes it (that module imports 'sepconv',
// which tsx cannot load from the sources, so the two small functions are repeated here).

/** Deterministic values in [-1, 1) (mulberry32); same as bench/lib/cases.ts seededData. */
function seededData(length: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

interface Data {
  x: Float32Array;
  depthwise?: Float32Array;
  pointwise?: Float32Array;
  filter?: Float32Array;
}

/** Same tensors as bench/lib/cases.ts caseData (TF.js layouts). */
function caseData(c: BenchCase): Data {
  const [n, h, w, cin] = c.input;
  const [kh, kw] = c.kernel ?? [1, 1];
  const m = c.multiplier ?? 1;
  const seed = [...c.id].reduce((a, ch) => (a * 31 + ch.charCodeAt(0)) >>> 0, 7);
  const d: Data = { x: seededData(n * h * w * cin, seed) };
  if (c.op === 'depthwise' || c.op === 'separable') d.depthwise = seededData(kh * kw * cin * m, seed + 1);
  if (c.op === 'pointwise') d.pointwise = seededData(cin * c.outChannels!, seed + 2);
  if (c.op === 'separable') d.pointwise = seededData(cin * m * c.outChannels!, seed + 2);
  if (c.op === 'conv2d') d.filter = seededData(kh * kw * cin * c.outChannels!, seed + 3);
  return d;
}

// --- the two contestants

const linear: ActivationSpec = { activation: 'linear', alpha: 0 };

/** Our CPU functions, called as the Engine calls them (separable: depthwise, then pointwise). */
function ours(c: BenchCase, d: Data): () => Float32Array {
  const [, , , cin] = c.input;
  const [kh, kw] = c.kernel ?? [1, 1];
  const m = c.multiplier ?? 1;
  const padding = c.padding ?? 'same';
  if (c.op === 'pointwise') {
    const [n, h, w] = c.input;
    const p = { pixels: n * h * w, inChannels: cin, outChannels: c.outChannels!, act: linear };
    return () => pointwiseConv2dCpu(d.x, d.pointwise!, null, p);
  }
  const geom = convGeometry(c.op, c.input, kh, kw, { stride: c.stride ?? 1, padding });
  if (c.op === 'depthwise') {
    const p = { ...geom, channels: cin, multiplier: m, act: linear };
    return () => depthwiseConv2dCpu(d.x, d.depthwise!, null, p);
  }
  if (c.op === 'separable') {
    const dp = { ...geom, channels: cin, multiplier: m, act: linear };
    const pp = { pixels: geom.batch * geom.outH * geom.outW, inChannels: cin * m, outChannels: c.outChannels!, act: linear };
    return () => pointwiseConv2dCpu(depthwiseConv2dCpu(d.x, d.depthwise!, null, dp), d.pointwise!, null, pp);
  }
  const p = { ...geom, inChannels: cin, outChannels: c.outChannels!, groups: 1, act: linear };
  return () => conv2dCpu(d.x, d.filter!, null, p);
}

/** TF.js cpu backend, the same ops bench/engines/tfjs.ts uses. Returns the run and a disposer. */
function theirs(c: BenchCase, d: Data): [() => Float32Array, () => void] {
  const [, , , cin] = c.input;
  const [kh, kw] = c.kernel ?? [1, 1];
  const m = c.multiplier ?? 1;
  const stride = c.stride ?? 1;
  const pad = c.padding ?? 'same';
  const x = tf.tensor4d(d.x, c.input);
  const held: tf.Tensor[] = [x];
  let op: () => tf.Tensor4D;
  if (c.op === 'depthwise') {
    const w = tf.tensor4d(d.depthwise!, [kh, kw, cin, m]);
    held.push(w);
    op = () => tf.depthwiseConv2d(x, w, stride, pad);
  } else if (c.op === 'pointwise') {
    const w = tf.tensor4d(d.pointwise!, [1, 1, cin, c.outChannels!]);
    held.push(w);
    op = () => tf.conv2d(x, w, 1, 'valid');
  } else if (c.op === 'separable') {
    const dw = tf.tensor4d(d.depthwise!, [kh, kw, cin, m]);
    const pw = tf.tensor4d(d.pointwise!, [1, 1, cin * m, c.outChannels!]);
    held.push(dw, pw);
    op = () => tf.separableConv2d(x, dw, pw, stride, pad);
  } else {
    const w = tf.tensor4d(d.filter!, [kh, kw, cin, c.outChannels!]);
    held.push(w);
    op = () => tf.conv2d(x, w, stride, pad);
  }
  const run = () => {
    const y = op();
    const out = y.dataSync() as Float32Array;
    y.dispose();
    return out;
  };
  return [run, () => held.forEach((t) => t.dispose())];
}

// --- timing

function timed<T>(f: () => T): [number, T] {
  const t0 = performance.now();
  const r = f();
  return [performance.now() - t0, r];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Largest |a − b| − (1e-3 + 1e-3·|b|) over the output; ≤ 0 means they agree. NaN where lengths differ. */
function worstExcess(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return NaN;
  let worst = -Infinity;
  for (let i = 0; i < a.length; i++) {
    const e = Math.abs(a[i]! - b[i]!) - (1e-3 + 1e-3 * Math.abs(b[i]!));
    if (!(e <= worst)) worst = e; // NaN propagates as a failure
  }
  return worst;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
  const runs = Number(arg('--runs') ?? 5);
  const filter = arg('--filter');
  const suitePath = fileURLToPath(new URL('./shapes.json', import.meta.url));
  let cases = (JSON.parse(readFileSync(suitePath, 'utf8')) as { cases: BenchCase[] }).cases;
  if (filter) {
    const parts = filter.split(',').map((s) => s.trim()).filter(Boolean);
    cases = cases.filter((c) => parts.some((p) => c.id.includes(p)));
  }

  console.log(`sepconv cpu vs TF.js cpu (tfjs-core ${tf.version_core}), Node ${process.version}, median of ${runs}`);
  const head = `${'case'.padEnd(28)} ${'ours ms'.padStart(9)} ${'tfjs ms'.padStart(9)} ${'ratio'.padStart(7)}  check`;
  console.log(head);
  console.log('-'.repeat(head.length));
  const ratios: number[] = [];
  let failed = 0;
  for (const c of cases) {
    const d = caseData(c);
    const runOurs = ours(c, d);
    const [runTheirs, dispose] = theirs(c, d);
    // Warm-up (JIT, TF.js kernel setup), and the outputs to compare.
    const a = runOurs();
    const b = runTheirs();
    const excess = worstExcess(a, b);
    const ok = excess <= 0;
    if (!ok) failed++;
    const tOurs: number[] = [];
    const tTheirs: number[] = [];
    for (let r = 0; r < runs; r++) {
      tOurs.push(timed(runOurs)[0]);
      tTheirs.push(timed(runTheirs)[0]);
    }
    dispose();
    const mo = median(tOurs);
    const mt = median(tTheirs);
    const ratio = mt / mo;
    ratios.push(ratio);
    console.log(
      `${c.id.padEnd(28)} ${mo.toFixed(2).padStart(9)} ${mt.toFixed(2).padStart(9)} ${ratio.toFixed(2).padStart(6)}×  ` +
        (ok ? 'ok' : `MISMATCH (excess ${excess})`),
    );
  }
  const geo = Math.exp(ratios.reduce((s, r) => s + Math.log(r), 0) / ratios.length);
  const worst = Math.min(...ratios);
  const worstCase = cases[ratios.indexOf(worst)]!.id;
  console.log('-'.repeat(head.length));
  console.log(`geometric mean ratio (tfjs / ours): ${geo.toFixed(2)}×   worst: ${worst.toFixed(2)}× (${worstCase})`);
  if (failed) {
    console.log(`${failed} case(s) disagree with TF.js`);
    process.exitCode = 1;
  }
}

await main();
