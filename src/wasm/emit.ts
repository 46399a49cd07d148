// A small emitter of WebAssembly bytecode, so kernels can be generated for the shape
// at hand at run time (the sizes, the epilogue and the tails baked in) with no
// toolchain: the same idea as jax-js's wasmblr. It covers what the kernels use:
// one module importing its memory, functions of i32 parameters, structured control
// flow, i32 arithmetic, f32 and 128-bit SIMD (f32x4) loads, stores and arithmetic.
// Encoding: https://webassembly.github.io/spec/core/binary/ and the SIMD proposal's
// opcode table (all SIMD instructions are the 0xfd prefix and a LEB128 opcode).

/** Value types. */
export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof F32 | typeof V128;

function uleb(n: number, out: number[]): void {
  if (!Number.isInteger(n) || n < 0) throw new Error(`wasm emit: ${n} is not an unsigned integer`);
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
}

function sleb(n: number, out: number[]): void {
  if (!Number.isInteger(n)) throw new Error(`wasm emit: ${n} is not an integer`);
  let more = true;
  while (more) {
    let byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) more = false;
    else byte |= 0x80;
    out.push(byte);
  }
}

function bytesOf(text: string): number[] {
  return [...new TextEncoder().encode(text)];
}

function vec(items: number[][], out: number[]): void {
  uleb(items.length, out);
  for (const item of items) out.push(...item);
}

function section(id: number, body: number[], out: number[]): void {
  out.push(id);
  uleb(body.length, out);
  out.push(...body);
}

/** A local variable (or parameter) of the function being emitted. */
export interface Local {
  readonly index: number;
  readonly type: ValType;
}

/**
 * The body of one function: instructions appended in order. Loads and stores take
 * a byte offset immediate (`offset`, ≥ 0) added to the i32 address on the stack;
 * alignment hints are the natural ones (4 for f32, 16 for v128).
 */
export class FunctionBuilder {
  readonly code: number[] = [];
  private readonly locals: ValType[] = [];

  constructor(readonly params: readonly ValType[]) {}

  /** Parameter `i` (in declaration order). */
  param(i: number): Local {
    const type = this.params[i];
    if (type === undefined) throw new Error(`wasm emit: no parameter ${i}`);
    return { index: i, type };
  }

  /** A new local of `type` (zero-initialised, as wasm does). */
  local(type: ValType): Local {
    this.locals.push(type);
    return { index: this.params.length + this.locals.length - 1, type };
  }

  private op(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }

  private simd(opcode: number, ...immediates: number[]): this {
    this.code.push(0xfd);
    uleb(opcode, this.code);
    this.code.push(...immediates);
    return this;
  }

  private memarg(align: number, offset: number): void {
    uleb(align, this.code);
    uleb(offset, this.code);
  }

  get(l: Local): this {
    this.op(0x20);
    uleb(l.index, this.code);
    return this;
  }
  set(l: Local): this {
    this.op(0x21);
    uleb(l.index, this.code);
    return this;
  }
  tee(l: Local): this {
    this.op(0x22);
    uleb(l.index, this.code);
    return this;
  }

  i32(n: number): this {
    this.op(0x41);
    sleb(n | 0, this.code);
    return this;
  }
  f32(v: number): this {
    const b = new Uint8Array(new Float32Array([v]).buffer);
    return this.op(0x43, ...b);
  }

  add(): this {
    return this.op(0x6a);
  }
  sub(): this {
    return this.op(0x6b);
  }
  mul(): this {
    return this.op(0x6c);
  }
  ltU(): this {
    return this.op(0x49);
  }
  geU(): this {
    return this.op(0x4f);
  }
  eqz(): this {
    return this.op(0x45);
  }
  ltS(): this {
    return this.op(0x48);
  }
  geS(): this {
    return this.op(0x4e);
  }
  and(): this {
    return this.op(0x71);
  }
  divU(): this {
    return this.op(0x6e);
  }
  shrU(): this {
    return this.op(0x76);
  }

  /** `block … end`: `br` to it jumps past its end. */
  block(body: () => void): this {
    this.op(0x02, 0x40);
    body();
    return this.op(0x0b);
  }
  /** `loop … end`: `br` to it jumps back to its start. */
  loop(body: () => void): this {
    this.op(0x03, 0x40);
    body();
    return this.op(0x0b);
  }
  /** `if … end` on the i32 on the stack. */
  if(body: () => void): this {
    this.op(0x04, 0x40);
    body();
    return this.op(0x0b);
  }
  br(depth: number): this {
    this.op(0x0c);
    uleb(depth, this.code);
    return this;
  }
  brIf(depth: number): this {
    this.op(0x0d);
    uleb(depth, this.code);
    return this;
  }

  /**
   * `for (i = from; i < to; i += step) body()`, `to` an i32 local or constant, the body
   * not run at all when from ≥ to. `i` is the counter local (i32).
   */
  for(i: Local, from: number | Local, to: number | Local, step: number, body: () => void): this {
    const push = (v: number | Local) => (typeof v === 'number' ? this.i32(v) : this.get(v));
    push(from).set(i);
    return this.block(() => {
      push(i).then(() => push(to)).geU().brIf(0);
      this.loop(() => {
        body();
        this.get(i).i32(step).add().tee(i);
        push(to).ltU().brIf(0);
      });
    });
  }

  private then(fn: () => void): this {
    fn();
    return this;
  }

  f32Load(offset = 0): this {
    this.op(0x2a);
    this.memarg(2, offset);
    return this;
  }
  f32Store(offset = 0): this {
    this.op(0x38);
    this.memarg(2, offset);
    return this;
  }
  f32Add(): this {
    return this.op(0x92);
  }
  f32Mul(): this {
    return this.op(0x94);
  }

  v128Load(offset = 0): this {
    this.simd(0x00);
    this.memarg(4, offset);
    return this;
  }
  v128Store(offset = 0): this {
    this.simd(0x0b);
    this.memarg(4, offset);
    return this;
  }
  /** Loads one f32 and splats it across the 4 lanes. */
  v128Load32Splat(offset = 0): this {
    this.simd(0x09);
    this.memarg(2, offset);
    return this;
  }
  /** Loads 8 bytes (two f32) into both halves of a v128. */
  v128Load64Splat(offset = 0): this {
    this.simd(0x0a);
    this.memarg(3, offset);
    return this;
  }
  /** Lanes of the two v128 on the stack picked by 16 byte indices (0–15 the first, 16–31 the second). */
  i8x16Shuffle(lanes: readonly number[]): this {
    if (lanes.length !== 16) throw new Error('wasm emit: i8x16.shuffle takes 16 lane indices');
    return this.simd(0x0d, ...lanes);
  }
  f32x4Splat(): this {
    return this.simd(0x13);
  }
  f32x4ExtractLane(lane: number): this {
    return this.simd(0x1f, lane);
  }
  /** Replaces lane `lane` of the v128 under the f32 on the stack. */
  f32x4ReplaceLane(lane: number): this {
    return this.simd(0x20, lane);
  }
  f32x4Add(): this {
    return this.simd(0xe4);
  }
  f32x4Mul(): this {
    return this.simd(0xe6);
  }
  f32x4Div(): this {
    return this.simd(0xe7);
  }
  /** Lane-wise minimum; NaN if either lane is NaN (as the reference's comparisons keep NaN). */
  f32x4Min(): this {
    return this.simd(0xe8);
  }
  /** Lane-wise maximum; NaN if either lane is NaN. */
  f32x4Max(): this {
    return this.simd(0xe9);
  }
}

/** A function of the module: its name (exported) and body. */
interface Func {
  name: string;
  body: FunctionBuilder;
}

/** How a module imports its memory: shared (threads) needs a maximum, and must match the memory. */
export interface MemoryImport {
  shared: boolean;
  /** Maximum size in 64 KiB pages (shared memories only). */
  maxPages: number;
}

/**
 * A module that imports its memory (`env.memory`, at least one 64 KiB page; shared with
 * `memory.maxPages` pages at most when `memory.shared`) and exports its functions
 * (i32 parameters, no results).
 */
export class ModuleBuilder {
  private readonly funcs: Func[] = [];

  constructor(private readonly memory: MemoryImport = { shared: false, maxPages: 0 }) {}

  /** A new exported function with `params` i32 parameters; fill its body with the builder's methods. */
  func(name: string, params: number, emit: (f: FunctionBuilder) => void): void {
    const body = new FunctionBuilder(Array.from({ length: params }, () => I32));
    emit(body);
    this.funcs.push({ name, body });
  }

  /** The module's bytes. */
  bytes(): Uint8Array {
    const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    // Types: one per distinct parameter count.
    const counts = [...new Set(this.funcs.map((f) => f.body.params.length))];
    const types = counts.map((n) => {
      const t = [0x60];
      vec(Array.from({ length: n }, () => [I32]), t);
      t.push(0x00);
      return t;
    });
    const typeSection: number[] = [];
    vec(types, typeSection);
    section(1, typeSection, out);
    // Import: env.memory, at least 1 page; no maximum, or shared with one (limits flag 3).
    const imp: number[] = [];
    const name = (s: string) => {
      const b = bytesOf(s);
      const r: number[] = [];
      uleb(b.length, r);
      return [...r, ...b];
    };
    const mem = [...name('env'), ...name('memory'), 0x02, this.memory.shared ? 0x03 : 0x00];
    uleb(1, mem);
    if (this.memory.shared) uleb(this.memory.maxPages, mem);
    vec([mem], imp);
    section(2, imp, out);
    const fn: number[] = [];
    vec(this.funcs.map((f) => { const r: number[] = []; uleb(counts.indexOf(f.body.params.length), r); return r; }), fn);
    section(3, fn, out);
    const exp: number[] = [];
    vec(this.funcs.map((f, i) => { const r = [...name(f.name), 0x00]; uleb(i, r); return r; }), exp);
    section(7, exp, out);
    const code: number[] = [];
    vec(
      this.funcs.map((f) => {
        const body: number[] = [];
        // Locals, one group per local (simple; the count is small).
        const locals = (f.body as unknown as { locals: ValType[] }).locals;
        vec(locals.map((t) => [1, t]), body);
        body.push(...f.body.code, 0x0b);
        const sized: number[] = [];
        uleb(body.length, sized);
        return [...sized, ...body];
      }),
      code,
    );
    section(10, code, out);
    return Uint8Array.from(out);
  }
}

/** True where this JavaScript engine validates 128-bit SIMD modules. */
export function simdSupported(): boolean {
  // (module (func (result v128) i32.const 0 i8x16.splat)), the usual feature probe.
  const probe = Uint8Array.from([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);
  return typeof WebAssembly === 'object' && WebAssembly.validate(probe);
}
