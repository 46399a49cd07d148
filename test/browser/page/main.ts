// Runs a depthwise → pointwise chain on the GPU and on the CPU backend and
// publishes both results (plus Σ|x·w| for the tolerance) on window.__sepconv.
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
  (window as unknown as { __sepconv: unknown }).__sepconv = result;
  document.getElementById('status')!.textContent = 'done';
}

main().catch((e: unknown) => {
  document.getElementById('status')!.textContent = `error: ${String(e)}`;
  console.error(e);
});
