// A worker of the wasm backend's thread pool (src/wasm/pool.ts starts it from this
// text: a Blob URL in browsers, `eval` in Node's worker_threads). It is plain JavaScript
// because it runs as it is, with no bundler or imports.
//
// It receives { memory, control, index } once: the backend's shared WebAssembly.Memory,
// the byte offset of the pool's control block in it, and its own index (1 … threads − 1;
// the calling thread is 0). Then it sleeps on the block's generation word; each new
// generation is a job, which it works on with the calling thread and the other workers,
// taking chunks from a shared counter, then it counts itself done. The control block's
// layout (i32 words) is the one pool.ts writes:
//   0 generation   1 done count   2 job kind (0 rows, 1 separable bands, -1 exit)
//   3 next chunk   4 chunks       5 error flag
//   8–10 kernel A: id, bytes offset, bytes length   12–14 kernel B: the same
//   rows job:  16 lo, 17 hi, 18 grain, 19 argc; 24… A's arguments before (lo, hi)
//   bands job: 16 rows, 17 band, 18 scratch base, 19 scratch bytes per thread,
//              20 depthwise output bytes per row, 22 pixels per row;
//              24–26 A's (x, w, b); 40–43 B's (w, b, r, y)
// A job is work(); the same chunk loop as pool.ts's own (runJob), kept in step with it.

function start(memory, control, index) {
  const I = new Int32Array(memory.buffer, control, 64);
  const kernels = new Map();
  const kernel = (slot) => {
    const id = I[slot];
    let run = kernels.get(id);
    if (!run) {
      // A copy: a module compiles from an unshared buffer.
      const bytes = new Uint8Array(memory.buffer, I[slot + 1], I[slot + 2]).slice();
      run = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports.run;
      kernels.set(id, run);
    }
    return run;
  };
  let generation = 0;
  for (;;) {
    Atomics.wait(I, 0, generation);
    generation = Atomics.load(I, 0);
    const kind = I[2];
    if (kind < 0) return;
    try {
      work(I, kind, kernel, index);
    } catch (e) {
      Atomics.store(I, 5, 1);
    }
    Atomics.add(I, 1, 1);
  }
}

function work(I, kind, kernel, index) {
  const chunks = I[4];
  if (kind === 0) {
    const run = kernel(8);
    const lo = I[16];
    const hi = I[17];
    const grain = I[18];
    const args = Array.from(I.subarray(24, 24 + I[19]));
    for (let c = Atomics.add(I, 3, 1); c < chunks; c = Atomics.add(I, 3, 1)) {
      const a = lo + c * grain;
      run(...args, a, Math.min(hi, a + grain));
    }
    return;
  }
  const dw = kernel(8);
  const pw = kernel(12);
  const rows = I[16];
  const band = I[17];
  const scratch = I[18] + index * I[19];
  const rowBytes = I[20];
  const width = I[22];
  for (let c = Atomics.add(I, 3, 1); c < chunks; c = Atomics.add(I, 3, 1)) {
    const r0 = c * band;
    const r1 = Math.min(rows, r0 + band);
    // The band's rows land in this thread's scratch (addresses wrap as i32 arithmetic does).
    const base = (scratch - r0 * rowBytes) | 0;
    dw(I[24], I[25], I[26], base, r0, r1);
    pw(base, I[40], I[41], I[42], I[43], r0 * width, r1 * width);
  }
}

if (typeof self === 'object' && typeof importScripts === 'function') {
  self.onmessage = (e) => {
    self.postMessage('ready');
    start(e.data.memory, e.data.control, e.data.index);
  };
} else {
  const { parentPort } = require('node:worker_threads');
  parentPort.once('message', (m) => {
    parentPort.postMessage('ready');
    start(m.memory, m.control, m.index);
  });
}
