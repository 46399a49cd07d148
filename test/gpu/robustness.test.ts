// Proves the `npm run test:unclamped` run is what it claims: with Dawn's
// robustness transform disabled, an out-of-bounds read is NOT clamped, so any
// sepconv shader that relied on clamping would read neighbouring data and fail
// its comparison with the CPU reference.
import { expect, test } from 'vitest';
import { createDefaultDevice } from '../support/gpu.js';

const unclamped = (process.env.SEPCONV_DAWN_FLAGS ?? '').includes('disable_robustness');

async function outOfBoundsRead(): Promise<number> {
  const device = await createDefaultDevice();
  const module = device.createShaderModule({
    code: `@group(0) @binding(0) var<storage, read> x: array<f32>;
           @group(0) @binding(1) var<storage, read_write> y: array<f32>;
           @compute @workgroup_size(1) fn main() { y[0] = x[arrayLength(&x) + 3u]; }`,
  });
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const data = device.createBuffer({ size: 4096, usage: 0x80 | 0x08 });
  device.queue.writeBuffer(data, 0, Float32Array.from({ length: 1024 }, (_, i) => i));
  const out = device.createBuffer({ size: 16, usage: 0x80 | 0x04 });
  const staging = device.createBuffer({ size: 16, usage: 0x01 | 0x08 });
  const bind = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [
      { binding: 0, resource: { buffer: data, offset: 0, size: 16 } }, // elements 0..3 bound
      { binding: 1, resource: { buffer: out } },
    ],
  });
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bind);
  pass.dispatchWorkgroups(1);
  pass.end();
  enc.copyBufferToBuffer(out, 0, staging, 0, 16);
  device.queue.submit([enc.finish()]);
  await staging.mapAsync(0x01);
  const v = new Float32Array(staging.getMappedRange())[0] as number;
  device.destroy();
  return v;
}

test(`out-of-bounds reads are ${unclamped ? 'NOT clamped (robustness disabled)' : 'clamped (robustness on, the default)'}`, async () => {
  // Clamped: index 7 of a 4-element binding reads element 3. Unclamped: the buffer's element 7.
  expect(await outOfBoundsRead()).toBe(unclamped ? 7 : 3);
});
