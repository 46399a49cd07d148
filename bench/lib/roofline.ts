// The adapter's roofline, measured in the same run as the ops: peak vec4-FMA
// throughput (GFLOP/s) and vec4 copy bandwidth (GB/s). Each probe doubles its
// work until one submit takes ≥ 60 ms, then keeps the best of 3 (less noise from
// the first dispatch and from the host).

const FMA_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> out: array<vec4f>;
override ITERS: u32 = 64u;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let id = gid.x + gid.y * nwg.x * 256u;
  // 8 independent FMA chains keep the pipeline full; the seed depends on the id so
  // nothing is constant-folded, and the sum is written so nothing is dead.
  let s = f32(id) * 1e-9;
  var a = vec4f(s, s + 1.0, s + 2.0, s + 3.0);
  var b = a + 0.5; var c = a + 1.5; var d = a + 2.5;
  var e = a + 3.5; var f = a + 4.5; var g = a + 5.5; var h = a + 6.5;
  let m = vec4f(0.9999);
  let k = vec4f(0.0001);
  for (var i = 0u; i < ITERS; i++) {
    a = fma(a, m, k); b = fma(b, m, k); c = fma(c, m, k); d = fma(d, m, k);
    e = fma(e, m, k); f = fma(f, m, k); g = fma(g, m, k); h = fma(h, m, k);
  }
  out[id] = a + b + c + d + e + f + g + h;
}`;

const COPY_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read> src: array<vec4f>;
@group(0) @binding(1) var<storage, read_write> dst: array<vec4f>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let id = gid.x + gid.y * nwg.x * 256u;
  if (id < arrayLength(&dst)) {
    dst[id] = src[id];
  }
}`;

const STORAGE = 0x80;

function grid(workgroups: number, max: number): [number, number] {
  if (workgroups <= max) return [workgroups, 1];
  const y = Math.ceil(workgroups / max);
  return [max, y];
}

/** Seconds for one submit of `reps` dispatches of `pipeline` over `workgroups` workgroups (a 2-D grid where one dimension is not enough). */
async function timeDispatches(
  device: GPUDevice,
  pipeline: GPUComputePipeline,
  bind: GPUBindGroup,
  workgroups: number,
  reps: number,
  now: () => number,
): Promise<number> {
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bind);
  const [x, y] = grid(workgroups, device.limits.maxComputeWorkgroupsPerDimension);
  for (let i = 0; i < reps; i++) pass.dispatchWorkgroups(x, y);
  pass.end();
  const t0 = now();
  device.queue.submit([enc.finish()]);
  await device.queue.onSubmittedWorkDone();
  return (now() - t0) / 1000;
}

async function adaptive(run: (scale: number) => Promise<{ seconds: number; amount: number }>): Promise<number> {
  let scale = 1;
  let r = await run(scale);
  while (r.seconds < 0.06 && scale < 1 << 16) {
    scale *= 2;
    r = await run(scale);
  }
  let best = r.amount / r.seconds;
  for (let i = 0; i < 2; i++) {
    const again = await run(scale);
    best = Math.max(best, again.amount / again.seconds);
  }
  return best;
}

/** Peak vec4-FMA GFLOP/s and vec4 copy GB/s of `device`. */
export async function measureRoofline(device: GPUDevice, now: () => number): Promise<{ gflops: number; gbps: number }> {
  // FMA: 1,024 workgroups × 256 invocations, ITERS iterations × 8 chains × 4 lanes × 2 FLOP.
  const wgs = 1024;
  const out = device.createBuffer({ size: wgs * 256 * 16, usage: STORAGE });
  const fmaModule = device.createShaderModule({ code: FMA_WGSL });
  const fmaPipelines = new Map<number, GPUComputePipeline>();
  const gflops = await adaptive(async (scale) => {
    const iters = 16 * scale;
    let p = fmaPipelines.get(iters);
    if (!p) {
      p = await device.createComputePipelineAsync({ layout: 'auto', compute: { module: fmaModule, entryPoint: 'main', constants: { ITERS: iters } } });
      fmaPipelines.set(iters, p);
    }
    const bind = device.createBindGroup({ layout: p.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: out } }] });
    const seconds = await timeDispatches(device, p, bind, wgs, 1, now);
    return { seconds, amount: (wgs * 256 * iters * 8 * 4 * 2) / 1e9 };
  });
  out.destroy();

  // Copy: 64 MiB (or what one binding allows) read and written once per dispatch.
  const bytes = Math.min(64 * 1024 * 1024, Math.floor(device.limits.maxStorageBufferBindingSize / 16) * 16);
  const src = device.createBuffer({ size: bytes, usage: STORAGE });
  const dst = device.createBuffer({ size: bytes, usage: STORAGE });
  const copy = await device.createComputePipelineAsync({ layout: 'auto', compute: { module: device.createShaderModule({ code: COPY_WGSL }), entryPoint: 'main' } });
  const bind = device.createBindGroup({
    layout: copy.getBindGroupLayout(0),
    entries: [
      { binding: 0, resource: { buffer: src } },
      { binding: 1, resource: { buffer: dst } },
    ],
  });
  const copyWgs = Math.ceil(bytes / 16 / 256);
  const gbps = await adaptive(async (reps) => {
    const seconds = await timeDispatches(device, copy, bind, copyWgs, reps, now);
    return { seconds, amount: (2 * bytes * reps) / 1e9 };
  });
  src.destroy();
  dst.destroy();
  return { gflops, gbps };
}
