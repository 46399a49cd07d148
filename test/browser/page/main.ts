// Runs a depthwise → pointwise chain on the GPU and on the CPU backend and
// publishes both results (plus Σ|x·w| for the tolerance) on window.__sepconv; and a
// pointwise op large enough to be split across the wasm backend's thread pool, on two
// threads (every chunk left to the Web Worker) and on one.
import { createEngine, type Engine } from 'sepconv';

function values(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed * 78.233) * 0.9);
}

const N = 1, H = 20, W = 18, C = 6, M = 2, COUT = 10;
const x = values(N * H * W * C, 1);
const dw = values(3 * 3 * C * M, 2);
const dwBias = values(C * M, 3);
const pw = values(C * M * COUT, 4);
const pwBias = values(COUT, 5);

async function chain(e: Engine, data: Float32Array[], linear: boolean): Promise<number[]> {
  const [xs, dws, dbs, pws, pbs] = data as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
  const y = e.depthwiseConv2d(e.tensor(xs, [N, H, W, C]), e.tensor(dws, [3, 3, C, M]), {
    stride: 2,
    padding: 'same',
    bias: e.tensor(dbs, [C * M]),
    activation: linear ? 'linear' : 'relu6',
  });
  const z = e.pointwiseConv2d(y, e.tensor(pws, [C * M, COUT]), {
    bias: e.tensor(pbs, [COUT]),
    activation: linear ? 'linear' : 'relu',
  });
  return [...(await z.read())];
}

async function main() {
  const gpu = await createEngine({ backend: 'webgpu' });
  const cpu = await createEngine({ backend: 'cpu' });
  const data = [x, dw, dwBias, pw, pwBias];
  const result = {
    backend: gpu.backend,
    adapter: gpu.adapter,
    gpu: await chain(gpu, data, false),
    cpu: await chain(cpu, data, false),
    // Σ|x·w| through the chain: the same ops on absolute values, no clipping.
    magnitude: await chain(cpu, data.map((a) => a.map(Math.abs)), true),
  };
  gpu.destroy();
  const wasm1 = await createEngine({ backend: 'wasm', threads: 1 });
  const wasm2 = await createEngine({ backend: 'wasm', threads: 2 });
  // Tests only (not public API): the worker does every chunk, so its results are the ones compared.
  (wasm2.implementation as unknown as { leaveChunksToWorkers(): void }).leaveChunksToWorkers();
  const big = async (e: Engine) => [...(await e.pointwiseConv2d(e.tensor(values(64 * 64 * 32, 6), [1, 64, 64, 32]), e.tensor(values(32 * 48, 7), [32, 48]), { activation: 'relu6' }).read())];
  const threads = {
    crossOriginIsolated: globalThis.crossOriginIsolated,
    threads: [wasm1.threads, wasm2.threads],
    one: await big(wasm1),
    two: await big(wasm2),
    cpu: await big(cpu),
  };
  wasm1.destroy();
  wasm2.destroy();
  (window as unknown as { __sepconv: unknown }).__sepconv = { ...result, threads };
  document.getElementById('status')!.textContent = 'done';
}

main().catch((e: unknown) => {
  document.getElementById('status')!.textContent = `error: ${String(e)}`;
  console.error(e);
});
