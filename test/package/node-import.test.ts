// The built package, installed in a project outside the repo, works from plain
// Node: `import { createEngine } from 'sepconv'`, a WebGPU engine (Dawn through the
// optional `webgpu` package) and a CPU engine agree, and the process exits on its
// own after engine.destroy(). Without `webgpu`, the Error says how to install it.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import '../support/setup.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
let project: string;

const SCRIPT = `
import { createEngine } from 'sepconv';
const want = process.argv[2];
const engines = [await createEngine({ backend: want }), await createEngine({ backend: 'cpu' })];
const out = [];
for (const e of engines) {
  const x = e.tensor(Float32Array.from({ length: 2 * 9 * 9 * 3 }, (_, i) => Math.sin(i)), [2, 9, 9, 3]);
  const dw = e.tensor(Float32Array.from({ length: 3 * 3 * 3 * 2 }, (_, i) => Math.cos(i)), [3, 3, 3, 2]);
  const y = e.depthwiseConv2d(x, dw, { stride: 2, padding: 'same', activation: 'relu6' });
  const pw = e.tensor(Float32Array.from({ length: 6 * 5 }, (_, i) => Math.sin(i * 0.7)), [6, 5]);
  const z = e.pointwiseConv2d(y, pw, { bias: e.tensor([0.1, 0.2, 0.3, 0.4, 0.5], [5]) });
  out.push({ backend: e.backend, shape: z.shape, data: [...(await z.read())] });
  x.dispose();
  e.destroy();
}
console.log(JSON.stringify(out));
`;

function runScript(arg: string) {
  return spawnSync(process.execPath, ['script.mjs', arg], { cwd: project, encoding: 'utf8', timeout: 60_000 });
}

beforeAll(() => {
  const dist = join(repo, 'dist', 'index.js');
  if (!existsSync(dist)) throw new Error(`${dist} is missing: run 'npm run build' first ('npm test' does)`);
  project = mkdtempSync(join(tmpdir(), 'sepconv-user-'));
  const pkg = join(project, 'node_modules', 'sepconv');
  mkdirSync(pkg, { recursive: true });
  cpSync(join(repo, 'package.json'), join(pkg, 'package.json'));
  cpSync(join(repo, 'dist'), join(pkg, 'dist'), { recursive: true });
  // What `npm install sepconv` brings along: the package's own dependencies (not the
  // optional 'webgpu', whose absence the first test is about), linked from the repo.
  const manifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  for (const name of Object.keys(manifest.dependencies ?? {})) {
    const link = join(project, 'node_modules', name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(join(repo, 'node_modules', name), link, 'dir');
  }
  writeFileSync(join(project, 'script.mjs'), SCRIPT);
});

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

test("without the 'webgpu' package: 'webgpu' fails with install advice, 'auto' falls back to wasm", () => {
  const webgpu = runScript('webgpu');
  expect(webgpu.status).not.toBe(0);
  expect(webgpu.stderr).toMatch(/needs the optional 'webgpu' package.*npm install webgpu/);
  const auto = runScript('auto');
  expect(auto.status, auto.stderr).toBe(0);
  const [a] = JSON.parse(auto.stdout) as { backend: string }[];
  expect(a?.backend).toBe('wasm');
});

test("with 'webgpu' installed: the WebGPU and CPU engines agree and the process exits by itself", () => {
  symlinkSync(join(repo, 'node_modules', 'webgpu'), join(project, 'node_modules', 'webgpu'), 'dir');
  const r = runScript('webgpu');
  // A process kept alive by the device would hit the timeout (status null, signal SIGTERM).
  expect(r.signal, 'the process did not exit after engine.destroy()').toBeNull();
  expect(r.status, r.stderr).toBe(0);
  const [gpu, cpu] = JSON.parse(r.stdout) as { backend: string; shape: number[]; data: number[] }[];
  expect(gpu?.backend).toBe('webgpu');
  expect(cpu?.backend).toBe('cpu');
  expect(gpu?.shape).toEqual([2, 5, 5, 5]);
  expect(gpu?.data.length).toBe(2 * 5 * 5 * 5);
  // Values are O(1) sums of ≤ 27 + 6 products; f32 rounding stays far below 1e-5.
  gpu?.data.forEach((v, i) => expect(Math.abs(v - (cpu?.data[i] as number))).toBeLessThan(1e-5));
});
