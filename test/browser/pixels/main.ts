// fromPixels from every source Chromium can make here, on WebGPU and on the CPU
// backend; the zero-copy round trip with the page's own compute passes; and the
// worker. Results are published on window.__pixels for test/browser/pixels.test.ts.
import { createEngine, type Engine, type FromPixelsOptions, type PixelSource } from 'sepconv';
import { block, drawTestImage, IMAGE_H, IMAGE_W } from './shared.js';

const status = document.getElementById('status') as HTMLElement;

interface SourceResult {
  source: string;
  shape: number[];
  /** Largest |GPU − CPU| for the same source. */
  gpuVsCpu: number;
  /** Largest |this source − the canvas's own bytes as ImageData| (CPU backend). */
  vsBytes: number;
}

const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - (b[i] as number))), a.length === b.length ? 0 : Infinity);

async function sources(): Promise<[string, () => Promise<PixelSource>][]> {
  const canvas = document.createElement('canvas');
  canvas.width = IMAGE_W;
  canvas.height = IMAGE_H;
  const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
  drawTestImage(ctx);
  return [
    ['ImageData', async () => ctx.getImageData(0, 0, IMAGE_W, IMAGE_H)],
    ['HTMLCanvasElement', async () => canvas],
    ['ImageBitmap', async () => createImageBitmap(canvas)],
    [
      'OffscreenCanvas',
      async () => {
        const off = new OffscreenCanvas(IMAGE_W, IMAGE_H);
        drawTestImage(off.getContext('2d') as OffscreenCanvasRenderingContext2D);
        return off;
      },
    ],
    [
      'HTMLImageElement',
      async () => {
        const img = new Image();
        img.src = canvas.toDataURL('image/png'); // lossless
        await img.decode();
        return img;
      },
    ],
    ['VideoFrame', async () => new VideoFrame(canvas, { timestamp: 0 })],
    ['HTMLVideoElement', () => playing(canvas)],
  ];
}

/**
 * A <video> playing the canvas's capture stream (headless Chromium has no camera or
 * codec to give a video otherwise), once it has a frame to show. The canvas is redrawn
 * until then: a capture stream sends a frame when its canvas changes.
 */
async function playing(canvas: HTMLCanvasElement): Promise<HTMLVideoElement> {
  const video = document.createElement('video');
  video.muted = true;
  video.srcObject = canvas.captureStream();
  document.body.append(video);
  const started = video.play();
  const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
  for (let i = 0; video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA; i++) {
    if (i === 250) throw new Error(`the video shows no frame after 5 s (readyState ${video.readyState})`);
    drawTestImage(ctx);
    await new Promise((r) => setTimeout(r, 20));
  }
  await started;
  return video;
}

const OPTIONS: FromPixelsOptions[] = [
  {},
  { size: [16, 24], fit: 'cover', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  { size: [50, 31], layout: 'NCHW', channels: 4 },
];

async function fromPixelsResults(gpu: Engine, cpu: Engine): Promise<SourceResult[]> {
  const out: SourceResult[] = [];
  const list = await sources();
  const bytes = (await list[0]![1]()) as ImageData;
  for (const [name, make] of list) {
    for (const options of OPTIONS) {
      const source = await make();
      const g = gpu.fromPixels(source, options);
      const c = cpu.fromPixels(source, options);
      const ref = cpu.fromPixels(bytes, options);
      out.push({ source: `${name} ${JSON.stringify(options)}`, shape: [...g.shape], gpuVsCpu: maxDiff(await g.read(), await c.read()), vsBytes: maxDiff(await c.read(), await ref.read()) });
      if (source instanceof VideoFrame) source.close();
      if (source instanceof ImageBitmap) source.close();
      if (source instanceof HTMLVideoElement) {
        for (const t of (source.srcObject as MediaStream).getTracks()) t.stop();
        source.remove();
      }
    }
  }
  return out;
}

/** The zero-copy round trip: a buffer the page's pass wrote goes in, the result's buffer is read by another pass. */
async function zeroCopy(gpu: Engine, cpu: Engine): Promise<{ diff: number; count: number }> {
  const device = gpu.device as GPUDevice;
  const count = 1 * 8 * 8 * 3;
  const run = (code: string, input: { buffer: GPUBuffer; offset: number; size: number }, output: GPUBuffer) => {
    const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module: device.createShaderModule({ code }), entryPoint: 'main' } });
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [{ binding: 0, resource: input }, { binding: 1, resource: { buffer: output } }],
    }));
    pass.dispatchWorkgroups(Math.ceil(count / 64));
    pass.end();
    device.queue.submit([encoder.finish()]);
  };
  const shader = (expr: string, n: number) => `
    @group(0) @binding(0) var<storage, read> src: array<f32>;
    @group(0) @binding(1) var<storage, read_write> dst: array<f32>;
    @compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3u) {
      if (id.x < ${n}u) { dst[id.x] = ${expr}; }
    }`;
  const seed = device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE });
  const input = device.createBuffer({ size: count * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  run(shader('f32(id.x % 17u) * 0.125 - 1.0 + 0.0 * src[0]', count), { buffer: seed, offset: 0, size: 16 }, input);
  const x = gpu.tensorFromBuffer(input, [1, 8, 8, 3]);
  const y = block(gpu, x);
  const view = await y.gpuBuffer();
  const outCount = y.size;
  const doubled = device.createBuffer({ size: outCount * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  run(shader('2.0 * src[id.x]', outCount), view, doubled);
  const staging = device.createBuffer({ size: outCount * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(doubled, 0, staging, 0, outCount * 4);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const got = new Float32Array(staging.getMappedRange().slice(0));
  // Exact in f32 on both sides (WGSL's sin would not be: its error bound is 2^-11).
  const xs = Float32Array.from({ length: count }, (_, i) => (i % 17) * 0.125 - 1);
  const want = (await block(cpu, cpu.tensor(xs, [1, 8, 8, 3])).read()).map((v) => 2 * v);
  return { diff: maxDiff(got, want), count: outCount };
}

/** The worker's run, and the page's CPU engine on the same input. */
async function worker(cpu: Engine): Promise<{ backend: string; diff: number; drawnLevels: number; drawnMatches: boolean }> {
  const canvas = document.getElementById('worker-canvas') as HTMLCanvasElement;
  const offscreen = canvas.transferControlToOffscreen();
  const w = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  const reply = await new Promise<{ error?: string; backend: string; shape: number[]; values: number[]; drawn: number[] }>((resolve) => {
    w.onmessage = (e) => resolve(e.data);
    w.onerror = (e) => resolve({ error: e.message, backend: '', shape: [], values: [], drawn: [] });
    w.postMessage({ canvas: offscreen }, [offscreen]);
  });
  w.terminate();
  if (reply.error) throw new Error(`worker: ${reply.error}`);
  const source = new OffscreenCanvas(IMAGE_W, IMAGE_H);
  drawTestImage(source.getContext('2d') as OffscreenCanvasRenderingContext2D);
  const want = await block(cpu, cpu.fromPixels(source, { size: [canvas.height, canvas.width], fit: 'cover' })).read();
  const levels = new Set(reply.drawn.filter((_, i) => i % 4 === 0));
  const drawnMatches = reply.drawn.every((v, i) => i % 4 === 3 ? v === 255 : Math.abs(v - Math.round((reply.values[Math.floor(i / 4) * 2] as number) * 255)) <= 0);
  return { backend: reply.backend, diff: maxDiff(Float32Array.from(reply.values), want), drawnLevels: levels.size, drawnMatches };
}

async function main(): Promise<void> {
  const gpu = await createEngine({ backend: 'webgpu' });
  const cpu = await createEngine({ backend: 'cpu' });
  const result = {
    backend: gpu.backend,
    sources: await fromPixelsResults(gpu, cpu),
    zeroCopy: await zeroCopy(gpu, cpu),
    worker: await worker(cpu),
  };
  (window as unknown as { __pixels: unknown }).__pixels = result;
  status.textContent = 'done';
}

main().catch((e: unknown) => {
  status.textContent = `error: ${String((e as Error)?.stack ?? e)}`;
});
