// A worker of the wasm backend's thread pool (src/wasm/pool.ts starts it from this
// text: a Blob URL in browsers, `eval` in Node's worker_threads). It is plain JavaScript
// because it runs as it is, with no bundler or imports.
//
// It receives { memory, control, index } once: the backend's shared WebAssembly.Memory,
// the byte offset of the pool's control block in it, and its own index (1 … threads − 1;
// the calling thread is 0). Then it sleeps on the block's generation word; each new
// generation is a job, cut into chunks. A thread claims chunk i by a compare-exchange of
// the claim word, (generation mod 2¹⁵) · 2¹⁶ + i, to i + 1: a worker that wakes after
// its job is over (or after the next one began) claims nothing (the caller sets the
// word to the next generation with no chunk left before it rewrites the description),
// and it reads the job's description only once it holds a chunk, which the caller
// waits for. Each finished chunk is counted in the done word; the caller waits for all
// of them, not for workers that found nothing to do. The control block's layout (i32 words), as pool.ts writes it:
//   0 generation   1 chunks done   2 job kind (0 rows, 1 separable bands, -1 exit)
//   3 claim word   4 chunks        5 error flag
//   8–10 kernel A: id, bytes offset, bytes length   12–14 kernel B: the same
//   rows job:  16 lo, 17 hi, 18 rows per chunk, 19 argc; 24… A's arguments before (lo, hi)
//   bands job: 16 rows, 17 band, 18 scratch base, 19 scratch bytes per thread,
//              20 depthwise output bytes per row, 22 pixels per row;
//              24–26 A's (x, w, b); 40–43 B's (w, b, r, y)
// claim() and chunk() are pool.ts's own claim and chunk work, kept in step with them.

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
    if (I[2] < 0) return;
    for (let i = claim(I, generation); i >= 0; i = claim(I, generation)) {
      try {
        chunk(I, kernel, index, i);
      } catch (e) {
        Atomics.store(I, 5, 1);
      }
      Atomics.add(I, 1, 1);
    }
  }
}

/** Claims the next chunk of job `generation`, or returns −1 (no chunk left, or another job now). */
function claim(I, generation) {
  for (;;) {
    const word = Atomics.load(I, 3);
    const i = word & 0xffff;
    if (word >>> 16 !== (generation & 0x7fff) || i >= I[4]) return -1;
    if (Atomics.compareExchange(I, 3, word, word + 1) === word) return i;
  }
}

/** Chunk i of the current job (the description is stable while a chunk is unfinished). */
function chunk(I, kernel, index, i) {
  if (I[2] === 0) {
    const a = I[16] + i * I[18];
    kernel(8)(...Array.from(I.subarray(24, 24 + I[19])), a, Math.min(I[17], a + I[18]));
    return;
  }
  const rows = I[16];
  const r0 = i * I[17];
  const r1 = Math.min(rows, r0 + I[17]);
  // The band's rows land in this thread's scratch (addresses wrap as i32 arithmetic does).
  const base = (I[18] + index * I[19] - r0 * I[20]) | 0;
  kernel(8)(I[24], I[25], I[26], base, r0, r1);
  kernel(12)(base, I[40], I[41], I[42], I[43], r0 * I[22], r1 * I[22]);
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
