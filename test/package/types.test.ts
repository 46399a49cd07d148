// The packed package's types compile in a strict consumer project: `npm pack` of
// the repository, installed (with its dependency @webgpu/types, from the npm cache
// when it is there) into a scratch TypeScript project with `strict: true` and
// `skipLibCheck: false`, and every ```ts block of README.md's `## API` section
// compiled there as a module by the repository's own tsc. This is what a user's
// `tsc` sees: the emitted .d.ts files must name their GPU types' source
// (`/// <reference types="@webgpu/types" preserve="true" />` in src/index.ts) and
// leave no dangling types after `stripInternal`.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const TSC = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');

// Names README examples use without defining them (tensor data, sizes, an engine
// made in an earlier block), with the type each is declared as. A block gets a
// `declare const` only for the names it really leaves free (found by a first tsc
// pass); a free name missing here fails the test and says to add it.
// (A free name that is also a DOM global, e.g. `name` or `top`, resolves to the
// global and is not detected: pick another name in the README.)
const FREE: Readonly<Record<string, string>> = {
  engine: "import('sepconv').Engine",
  image: 'Float32Array',
  input: 'Float32Array',
  weight: 'Float32Array',
  bias: 'Float32Array',
  N: 'number',
  C: 'number',
  H: 'number',
  W: 'number',
  O: 'number',
  g: 'number',
  kh: 'number',
  kw: 'number',
  sh: 'number',
  sw: 'number',
  dh: 'number',
  dw: 'number',
  ph: 'number',
  pw: 'number',
};

/** Put on the line before a README fence (blank lines between are allowed) to keep that block out. */
const SKIP_MARKER = '<!-- not compiled -->';

// NodeNext, as `tsc --init` (TypeScript 5.9) writes it for a new project, and the
// stricter of the two usual choices: it follows the package's `exports` and needs the
// `.js` extensions on the relative imports inside the .d.ts files, which a consumer
// on `moduleResolution: "Bundler"` (a Vite app) would also accept without them.
// `types: []` (also the `tsc --init` default) keeps every ambient type package out,
// so the GPU types can only come from the reference in sepconv's own .d.ts.
const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    lib: ['ES2022', 'DOM'],
    types: [],
    strict: true,
    skipLibCheck: false,
    noEmit: true,
  },
  include: ['*.ts'],
};

let tmp: string | undefined;
let consumer: string;

function run(cmd: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 90_000 });
}

/** Output of a finished command, for assertion messages. */
function output(r: SpawnSyncReturns<string>): string {
  return `${r.error ? `${r.error.message}\n` : ''}${r.stdout}${r.stderr}`;
}

/**
 * Writes a project folder (TSCONFIG + files) inside the consumer project; returns tsc's
 * result on it. `flags` are extra tsc options, for the passes that are not the verdict.
 */
function compile(name: string, files: Record<string, string>, flags: string[] = []): SpawnSyncReturns<string> {
  const dir = join(consumer, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return run(process.execPath, [TSC, '-p', '.', '--pretty', 'false', ...flags], dir);
}

interface Block {
  /** README.md line of the opening fence (1-based). */
  line: number;
  code: string;
}

/** The ```ts blocks between `## API` and the next `## ` heading, minus those after SKIP_MARKER. */
function apiBlocks(readme: string): Block[] {
  const lines = readme.split('\n');
  const start = lines.findIndex((l) => /^## API\s*$/.test(l));
  if (start < 0) throw new Error("README.md has no '## API' heading");
  let end = lines.findIndex((l, i) => i > start && /^## /.test(l));
  if (end < 0) end = lines.length;
  const blocks: Block[] = [];
  for (let i = start + 1; i < end; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i] as string)) {
      if (/^```/.test(lines[i] as string)) {
        // Skip over a fence of another language so its body is not read as Markdown.
        const close = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l));
        if (close > 0) i = close;
      }
      continue;
    }
    const close = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l));
    if (close < 0 || close >= end) throw new Error(`README.md line ${i + 1}: unclosed \`\`\`ts block`);
    let before = i - 1;
    while (before > start && (lines[before] as string).trim() === '') before--;
    if ((lines[before] as string).trim() !== SKIP_MARKER) {
      blocks.push({ line: i + 1, code: lines.slice(i + 1, close).join('\n') });
    }
    i = close;
  }
  return blocks;
}

/**
 * A block as a module file whose line numbers are README.md's: as many empty lines
 * as precede the block's first line, the block, then `export {}` and the prelude
 * (ambient declarations may follow their use).
 */
function moduleFile(block: Block, free: readonly string[]): string {
  const prelude = free.map((n) => `declare const ${n}: ${FREE[n]};`);
  return `${'\n'.repeat(block.line)}${block.code}\nexport {};\n${prelude.join('\n')}\n`;
}

beforeAll(() => {
  const types = join(repo, 'dist', 'types', 'index.d.ts');
  if (!existsSync(types)) throw new Error(`${types} is missing: run 'npm run build' first ('npm test' does)`);
  tmp = mkdtempSync(join(tmpdir(), 'sepconv-types-'));
  const packDir = join(tmp, 'pack');
  consumer = join(tmp, 'consumer');
  mkdirSync(packDir);
  mkdirSync(consumer);

  const pack = run('npm', ['pack', '--pack-destination', packDir, '--ignore-scripts', '--json'], repo);
  expect(pack.status, `npm pack failed:\n${output(pack)}`).toBe(0);
  const [packed] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
  if (!packed) throw new Error(`npm pack printed no package:\n${pack.stdout}`);
  expect(packed.files.map((f) => f.path)).toContain('dist/types/index.d.ts');
  const tarball = join(packDir, packed.filename);

  writeFileSync(
    join(consumer, 'package.json'),
    JSON.stringify({ name: 'sepconv-types-consumer', private: true, type: 'module' }, null, 2),
  );
  // --prefer-offline: @webgpu/types comes from the npm cache (filled by `npm ci`)
  // without asking the registry; only a machine without it in the cache fetches it.
  const install = run(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--omit=optional', '--ignore-scripts', tarball],
    consumer,
  );
  expect(install.status, `npm install of the tarball failed:\n${output(install)}`).toBe(0);
  expect(existsSync(join(consumer, 'node_modules', 'sepconv', 'dist', 'types', 'index.d.ts'))).toBe(true);
  expect(existsSync(join(consumer, 'node_modules', '@webgpu', 'types', 'package.json'))).toBe(true);
}, 150_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test(
  "README's API examples compile against the packed package (strict, skipLibCheck: false)",
  () => {
    const blocks = apiBlocks(readFileSync(join(repo, 'README.md'), 'utf8'));
    expect(blocks.length, "no ```ts blocks found under README.md's '## API'").toBeGreaterThan(0);
    const fileOf = (b: Block) => `readme-api-line-${b.line}.ts`;

    // Pass 1, without preludes: which names does each block leave undefined? Only the
    // blocks' own diagnostics matter here, so the .d.ts files are not checked (faster).
    const first = compile(
      'readme',
      Object.fromEntries(blocks.map((b) => [fileOf(b), moduleFile(b, [])])),
      ['--skipLibCheck'],
    );
    const freeIn = new Map<string, Set<string>>(blocks.map((b) => [fileOf(b), new Set<string>()]));
    const missing =
      /^(readme-api-line-\d+\.ts)\((\d+),\d+\): error TS\d+: (?:Cannot find name|No value exists in scope for the shorthand property) '([^']+)'/gm;
    const unknown: string[] = [];
    for (const [, file, line, name] of first.stdout.matchAll(missing)) {
      if (!file || !name) continue;
      if (name in FREE) freeIn.get(file)?.add(name);
      else unknown.push(`'${name}' (README.md line ${line})`);
    }
    expect(
      unknown,
      `README API examples use names they do not define: ${[...new Set(unknown)].join(', ')}. ` +
        'Add each to FREE in test/package/types.test.ts with its type, or define it in the example.',
    ).toEqual([]);

    // Pass 2, the verdict, with the consumer's full checks (skipLibCheck: false): each
    // block with `declare const` for exactly its free names.
    const files = Object.fromEntries(blocks.map((b) => [fileOf(b), moduleFile(b, [...(freeIn.get(fileOf(b)) ?? [])].sort())]));
    const r = compile('readme', files);
    expect(
      r.status,
      `tsc failed on the README API examples (readme-api-line-L.ts is the block at README.md line L; ` +
        `line numbers in it are README.md's):\n${output(r)}`,
    ).toBe(0);
  },
  60_000,
);

test(
  'tsc reports errors there, and GPUDevice comes from the installed package',
  () => {
    // With sepconv imported, GPUDevice exists (through sepconv's reference to @webgpu/types)
    // and the assignment is a type error, not a missing name.
    // (TypeScript's own lib files are not checked again in these two runs: faster, and
    // irrelevant to where GPUDevice comes from.)
    const withSepconv = compile(
      'gpu-error',
      { 'gpu-error.ts': "import type { Engine } from 'sepconv';\nexport type E = Engine;\nexport const d: GPUDevice = 1;\n" },
      ['--skipDefaultLibCheck'],
    );
    expect(withSepconv.status, output(withSepconv)).not.toBe(0);
    expect(withSepconv.stdout).toMatch(/gpu-error\.ts\(3,\d+\): error TS2322: Type 'number' is not assignable to type 'GPUDevice'/);
    expect(withSepconv.stdout).not.toMatch(/Cannot find name/);

    // Control: without sepconv in the program nothing declares GPUDevice (`types: []`,
    // lib ES2022 + DOM), so the type above came from the installed package.
    const without = compile('gpu-control', { 'no-sepconv.ts': 'export const d: GPUDevice = 1;\n' }, [
      '--skipDefaultLibCheck',
    ]);
    expect(without.status, output(without)).not.toBe(0);
    expect(without.stdout, 'lib.dom now declares GPUDevice: this control no longer shows where it comes from').toMatch(
      /no-sepconv\.ts\(1,\d+\): error TS2304: Cannot find name 'GPUDevice'/,
    );
  },
  60_000,
);
