import { createEngine, type Engine } from 'sepconv';

const SIZE = 128;
const CHANNELS = 3;
const WARM_RUNS = 5;

function el<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`missing element #${id}`);
  return node as T;
}

function setText(id: string, text: string): void {
  el(id).textContent = text;
}

/** A smooth RGB test image in [0, 1], NHWC [1, SIZE, SIZE, 3]: gradients plus a few soft-edged circles. */
function makeImage(): Float32Array {
  const data = new Float32Array(SIZE * SIZE * CHANNELS);
  const circles = [
    { x: 40, y: 44, r: 24, rgb: [1.0, 0.85, 0.2] },
    { x: 88, y: 80, r: 30, rgb: [0.15, 0.9, 0.8] },
    { x: 36, y: 100, r: 14, rgb: [0.95, 0.3, 0.6] },
  ] as const;
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const u = x / (SIZE - 1);
      const v = y / (SIZE - 1);
      let r = 0.15 + 0.55 * u;
      let g = 0.1 + 0.4 * v;
      let b = 0.55 - 0.35 * u + 0.2 * Math.sin(6 * v);
      for (const c of circles) {
        const d = Math.hypot(x - c.x, y - c.y);
        // 1 inside, 0 outside, with a 2-pixel soft edge.
        const a = Math.min(1, Math.max(0, (c.r - d) / 2 + 0.5));
        r += a * (c.rgb[0] - r);
        g += a * (c.rgb[1] - g);
        b += a * (c.rgb[2] - b);
      }
      const i = (y * SIZE + x) * CHANNELS;
      data[i] = r;
      data[i + 1] = g;
      data[i + 2] = b;
    }
  }
  return data;
}

/** Depthwise filter [kh, kw, C, M] = [3, 3, 3, 1]: an 8-neighbour Laplacian (edge detect) on every channel. */
function makeDepthwiseFilter(): Float32Array {
  const laplacian = [-1, -1, -1, -1, 8, -1, -1, -1, -1];
  const f = new Float32Array(3 * 3 * CHANNELS);
  for (let k = 0; k < 9; k++) {
    for (let c = 0; c < CHANNELS; c++) f[k * CHANNELS + c] = laplacian[k] ?? 0;
  }
  return f;
}

/** Pointwise filter [Cin, Cout] = [3, 3]: mostly keeps each channel, with some cross-talk between them. */
// prettier-ignore
const POINTWISE = new Float32Array([
  // out R, out G, out B
  1.0,  0.2,  0.1, // in R
  0.2,  1.0,  0.2, // in G
  0.1,  0.2,  1.0, // in B
]);
/** Pointwise bias [Cout]: a small negative bias, so relu drops faint edges (noise floor). */
const BIAS = new Float32Array([-0.02, -0.02, -0.02]);

interface RunResult {
  output: Float32Array;
  /** Milliseconds of the first run: uploads, pipeline creation on the GPU, both ops and the read back. */
  firstMs: number;
  /** Mean milliseconds of the following runs. */
  warmMs: number;
}

/** Runs depthwise 3×3 → pointwise 3→3 (+bias, relu) on `engine` and times it, first run and warm runs. */
async function runSeparable(engine: Engine, image: Float32Array): Promise<RunResult> {
  const once = async (): Promise<Float32Array> => {
    const x = engine.tensor(image, [1, SIZE, SIZE, CHANNELS]);
    const dw = engine.tensor(makeDepthwiseFilter(), [3, 3, CHANNELS, 1]);
    const pw = engine.tensor(POINTWISE, [CHANNELS, CHANNELS]);
    const bias = engine.tensor(BIAS, [CHANNELS]);
    const y = engine.depthwiseConv2d(x, dw, { padding: 'same' });
    const z = engine.pointwiseConv2d(y, pw, { bias, activation: 'relu' });
    try {
      return await z.read();
    } finally {
      for (const t of [x, dw, pw, bias, y, z]) t.dispose();
    }
  };
  let t0 = performance.now();
  const output = await once();
  const firstMs = performance.now() - t0;
  t0 = performance.now();
  for (let i = 0; i < WARM_RUNS; i++) await once();
  const warmMs = (performance.now() - t0) / WARM_RUNS;
  return { output, firstMs, warmMs };
}

/**
 * Draws NHWC RGB data on a canvas. Without `normalise` the data is taken as 0..1; with it,
 * [min, 99.5th percentile] of the data is stretched to 0..255, so a few very bright pixels
 * (the frame that zero padding creates around an edge-detected image) don't darken the rest.
 */
function draw(canvasId: string, data: Float32Array, normalise: boolean): void {
  const canvas = el<HTMLCanvasElement>(canvasId);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas context');
  let lo = 0;
  let hi = 1;
  if (normalise) {
    const sorted = Float32Array.from(data).sort();
    lo = sorted[0] ?? 0;
    hi = sorted[Math.floor(0.995 * (sorted.length - 1))] ?? 1;
    if (!(hi > lo)) hi = lo + 1;
  }
  const scale = 255 / (hi - lo);
  const img = ctx.createImageData(SIZE, SIZE);
  for (let p = 0; p < SIZE * SIZE; p++) {
    // ImageData is a Uint8ClampedArray: values outside 0..255 are clamped.
    for (let c = 0; c < CHANNELS; c++) img.data[p * 4 + c] = ((data[p * CHANNELS + c] ?? 0) - lo) * scale;
    img.data[p * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`output lengths differ: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return m;
}

function ms(v: number): string {
  return `${v.toFixed(2)} ms`;
}

async function main(): Promise<void> {
  // Why separable: a standard 3×3 conv 3→32 has Cin·Cout·kh·kw = 3·32·3·3 = 864 weights;
  // depthwise 3×3 (Cin·kh·kw = 3·3·3 = 27) + pointwise 3→32 (Cin·Cout = 3·32 = 96) has 123.
  const standardParams = 3 * 32 * 3 * 3;
  const separableParams = 3 * 3 * 3 + 3 * 32;
  setText(
    'params',
    `standard ${standardParams} vs separable ${separableParams} weights ` +
      `(${(standardParams / separableParams).toFixed(1)}× fewer)`,
  );

  const image = makeImage();
  draw('input', image, false);

  const gpu = await createEngine({ backend: 'auto' });
  const cpu = await createEngine({ backend: 'cpu' });
  try {
    setText('backend', gpu.backend);
    const a = gpu.adapter;
    setText(
      'adapter',
      a ? [a.description, a.vendor, a.architecture].filter((s) => s !== '').join(' · ') || '(no adapter info)' : 'none (CPU)',
    );

    const g = await runSeparable(gpu, image);
    draw('output', g.output, true);
    setText('gpu-time', `${ms(g.firstMs)} first run (incl. pipeline creation), ${ms(g.warmMs)} warm (mean of ${WARM_RUNS})`);

    const c = await runSeparable(cpu, image);
    setText('cpu-time', `${ms(c.firstMs)} first run, ${ms(c.warmMs)} warm (mean of ${WARM_RUNS})`);

    setText('max-diff', String(maxAbsDiff(g.output, c.output)));
    setText('status', 'done');
  } finally {
    gpu.destroy();
    cpu.destroy();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  const status = el('status');
  status.textContent = `error: ${e instanceof Error ? e.message : String(e)}`;
  status.classList.add('error');
});
