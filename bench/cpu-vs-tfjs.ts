// The CPU backend against TF.js's CPU backend on every case of bench/shapes.json.
//
//   npx tsx bench/cpu-vs-tfjs.ts [--runs 5] [--filter dw3x3,pw_7x7]
//
// Calls sepconv's CPU functions directly (src/cpu/*), not through the package: the
// package entry pulls in the WebGPU backend, whose `.wgsl?raw` imports only a bundler
// can load (the bench modules it uses import no code of the package either). Each
// case: one warm-up run of each, then `runs` runs alternating ours and TF.js's,
// median of each; the outputs must agree within 1e-3 + 1e-3·|tfjs|.
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
import { tfjsCaseOp } from './engines/tfjs-ops.js';
import { caseData, parseSuite, selectCases } from './lib/cases.js';
import { median } from './lib/stats.js';
import type { BenchCase, CaseData } from './lib/types.js';

// --- the two contestants

const linear: ActivationSpec = { activation: 'linear', alpha: 0, beta: 0 };

/** Our CPU functions, called as the Engine calls them (separable: depthwise, then pointwise). */
function ours(c: BenchCase, d: CaseData): () => Float32Array {
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

/** TF.js cpu backend, the same ops as bench/engines/tfjs.ts. Returns the run and a disposer. */
function theirs(c: BenchCase, d: CaseData): [() => Float32Array, () => void] {
  const { op, dispose } = tfjsCaseOp(c, d);
  const run = () => {
    const y = op();
    const out = y.dataSync() as Float32Array;
    y.dispose();
    return out;
  };
  return [run, dispose];
}

// --- timing

function timed<T>(f: () => T): [number, T] {
  const t0 = performance.now();
  const r = f();
  return [performance.now() - t0, r];
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
  const cases = selectCases(parseSuite(JSON.parse(readFileSync(suitePath, 'utf8'))), filter ? { filter } : {});

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
