// The benchmark suite's cases: selection, deterministic data, and the arithmetic
// (output shape, minimal bytes) every row's GB/s comes from; FLOPs are in
// case-flops.ts. Single-op cases only; network cases (op 'network') get theirs from
// the built model, in networks.ts (loadCase handles both kinds).
// Imports no code of the package, only its types: bench/cpu-vs-tfjs.ts runs it from
// the sources with tsx, where the package entry (WGSL `?raw` imports) cannot load.

import { seededUniform } from '../../src/random.js';
import type { BenchCase, CaseData, NetworkName } from './types.js';

/** A few cases that cover every op and both strides, for --quick. */
export const QUICK_IDS = [
  'dw3x3_s1_56x56x144',
  'dw3x3_s2_112x112x96',
  'pw_56x56_24to144',
  'pw_14x14_384to64',
  'sep3x3_s1_224x224_3to32',
  'conv3x3_s1_224x224_3to32',
];

/** The network cases --quick runs too (bench/networks.json). */
export const QUICK_NETWORK_IDS = ['mobilenetV2_1.0_224', 'blazeface_front_128'];

const OPS = ['depthwise', 'pointwise', 'separable', 'conv2d', 'network'];
/** The networks run from an ONNX file (pretrained weights; bench/lib/networks.ts knows the files). */
const ONNX_NETWORKS: readonly NetworkName[] = ['blazefaceFront', 'blazefaceBack'];
const NETWORKS: readonly NetworkName[] = ['mobilenetV1', 'mobilenetV2', ...ONNX_NETWORKS];

/** Whether a network is run from its ONNX file (rather than built from a layer list). */
export function isOnnxNetwork(network: NetworkName): boolean {
  return ONNX_NETWORKS.includes(network);
}

/** Whether a case is a network run from its ONNX file. */
export function isOnnxCase(c: BenchCase): boolean {
  return c.op === 'network' && isOnnxNetwork(c.network as NetworkName);
}

/** Checks the suite's JSON and returns its cases. */
export function parseSuite(json: unknown): BenchCase[] {
  const cases = (json as { cases?: unknown }).cases;
  if (!Array.isArray(cases)) throw new Error('bench suite: expected { cases: [...] }');
  for (const c of cases as BenchCase[]) {
    if (typeof c.id !== 'string' || !OPS.includes(c.op)) {
      throw new Error(`bench suite: bad case ${JSON.stringify(c)}`);
    }
    if (!Array.isArray(c.input) || c.input.length !== 4) throw new Error(`bench suite: case ${c.id}: input must be [N, H, W, C]`);
    if (c.op === 'network') {
      if (!NETWORKS.includes(c.network as NetworkName)) throw new Error(`bench suite: case ${c.id}: network must be one of ${NETWORKS.join(', ')}`);
      if (c.alpha !== undefined && !(c.alpha > 0)) throw new Error(`bench suite: case ${c.id}: alpha must be positive`);
      if (c.classes !== undefined && !(Number.isInteger(c.classes) && c.classes > 0)) throw new Error(`bench suite: case ${c.id}: classes must be a positive integer`);
      continue;
    }
    if (c.op !== 'depthwise' && !c.outChannels) throw new Error(`bench suite: case ${c.id}: outChannels missing`);
    if (c.op !== 'pointwise' && !c.kernel) throw new Error(`bench suite: case ${c.id}: kernel missing`);
  }
  return cases as BenchCase[];
}

/** Cases to run: all, the quick set, and/or those whose id contains `filter` (comma-separated alternatives). */
export function selectCases(all: BenchCase[], opts: { quick?: boolean; filter?: string }): BenchCase[] {
  let cases = opts.quick ? all.filter((c) => QUICK_IDS.includes(c.id) || QUICK_NETWORK_IDS.includes(c.id)) : all;
  if (opts.filter) {
    const parts = opts.filter.split(',').map((s) => s.trim()).filter(Boolean);
    cases = cases.filter((c) => parts.some((p) => c.id.includes(p)));
  }
  return cases;
}

/** Cases of several suites (e.g. shapes.json and networks.json), checked for duplicate ids. */
export function joinSuites(...suites: BenchCase[][]): BenchCase[] {
  const all = suites.flat();
  const seen = new Set<string>();
  for (const c of all) {
    if (seen.has(c.id)) throw new Error(`bench suite: duplicate case id ${c.id}`);
    seen.add(c.id);
  }
  return all;
}

/** NHWC output shape of a case ('same' padding: ceil(H / stride); MobileNets: [N, 1, 1, classes]). */
export function outputShape(c: BenchCase): [number, number, number, number] {
  const [n, h, w, cin] = c.input;
  if (isOnnxCase(c)) throw new Error(`bench: case ${c.id} runs an ONNX file: its outputs come from the file (loadCase in bench/lib/networks.ts)`);
  if (c.op === 'network') return [n, 1, 1, c.classes ?? 1000];
  const s = c.op === 'pointwise' ? 1 : (c.stride ?? 1);
  const same = (c.padding ?? 'same') === 'same';
  const k = c.kernel ?? [1, 1];
  const oh = same ? Math.ceil(h / s) : Math.floor((h - k[0]) / s) + 1;
  const ow = same ? Math.ceil(w / s) : Math.floor((w - k[1]) / s) + 1;
  const cout = c.op === 'depthwise' ? cin * (c.multiplier ?? 1) : (c.outChannels as number);
  return [n, oh, ow, cout];
}

/** Element counts of the tensors a case reads and writes once: input, weights, output. */
export function caseTensorSizes(c: BenchCase): { input: number; weights: number; output: number } {
  const [n, h, w, cin] = c.input;
  const [kh, kw] = c.kernel ?? [1, 1];
  const m = c.multiplier ?? 1;
  const out = outputShape(c);
  let weights: number;
  switch (c.op) {
    case 'depthwise':
      weights = kh * kw * cin * m;
      break;
    case 'pointwise':
      weights = cin * (c.outChannels as number);
      break;
    case 'separable':
      weights = kh * kw * cin * m + cin * m * (c.outChannels as number);
      break;
    case 'conv2d':
      weights = kh * kw * cin * (c.outChannels as number);
      break;
    case 'network':
      throw new Error(`bench: case ${c.id} is a network: its weights come from the built model (loadCase in bench/lib/networks.ts)`);
  }
  return { input: n * h * w * cin, weights, output: out.reduce((a, b) => a * b, 1) };
}

/** Minimal bytes moved by one run: input, weights and output once each, f32. */
export function caseBytes(c: BenchCase): number {
  const s = caseTensorSizes(c);
  return 4 * (s.input + s.weights + s.output);
}

/** The seed of a case's data, from its id. */
export function caseSeed(c: BenchCase): number {
  return [...c.id].reduce((a, ch) => (a * 31 + ch.charCodeAt(0)) >>> 0, 7);
}

/** The case's tensors (TF.js layouts, see CaseData), the same in every engine and every run. */
export function caseData(c: BenchCase): CaseData {
  if (c.op === 'network') throw new Error(`bench: case ${c.id} is a network: its data comes from loadCase (bench/lib/networks.ts)`);
  const [, , , cin] = c.input;
  const [kh, kw] = c.kernel ?? [1, 1];
  const m = c.multiplier ?? 1;
  const seed = caseSeed(c);
  const sizes = caseTensorSizes(c);
  const data: CaseData = { x: seededUniform(sizes.input, seed), outShape: outputShape(c) };
  if (c.op === 'depthwise' || c.op === 'separable') data.depthwise = seededUniform(kh * kw * cin * m, seed + 1);
  if (c.op === 'pointwise') data.pointwise = seededUniform(cin * (c.outChannels as number), seed + 2);
  if (c.op === 'separable') data.pointwise = seededUniform(cin * m * (c.outChannels as number), seed + 2);
  if (c.op === 'conv2d') data.filter = seededUniform(kh * kw * cin * (c.outChannels as number), seed + 3);
  return data;
}
