// Pipeline cache. A pipeline is identified by everything baked into it: the
// kernel's full WGSL source (by hash) and every override constant. Both the key
// and the pipeline come from the same Program object, so they cannot disagree
// (the failure mode of tfjs #2669 and onnxruntime #22536).

import { SepconvError } from '../errors.js';

/** How a kernel binds each of its buffers, in binding order (group 0). */
export type BindingKind = 'uniform' | 'read' | 'write';

/** A kernel family's shader: fixed text, its hash, and its binding layout. */
export interface KernelSource {
  name: string;
  source: string;
  hash: string;
  bindings: readonly BindingKind[];
}

/** One specialisation of a kernel: its source plus override constants. */
export interface Program {
  kernel: KernelSource;
  constants: Readonly<Record<string, number>>;
}

/** FNV-1a, 32 bit: enough to tell shader texts apart in a cache key. */
export function hashText(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** Assembles a kernel family's WGSL from its parts (generated structs, shared snippets, the kernel file). */
export function defineKernel(name: string, parts: readonly string[], bindings: readonly BindingKind[]): KernelSource {
  const source = parts.join('\n');
  return { name, source, hash: hashText(source), bindings };
}

/** The cache key of a program: kernel name, source hash and every constant, sorted. */
export function programKey(p: Program): string {
  const consts = Object.keys(p.constants)
    .sort()
    .map((k) => `${k}=${p.constants[k]}`)
    .join(',');
  return `${p.kernel.name}#${p.kernel.hash}{${consts}}`;
}

export class PipelineCache {
  private readonly modules = new Map<string, GPUShaderModule>();
  private readonly pipelines = new Map<string, Promise<GPUComputePipeline>>();
  private readonly layouts = new Map<string, { group: GPUBindGroupLayout; pipeline: GPUPipelineLayout }>();

  constructor(
    private readonly device: GPUDevice,
    private readonly printShaders = false,
  ) {}

  /** Number of distinct pipelines requested so far. */
  get size(): number {
    return this.pipelines.size;
  }

  /** The bind group layout shared by every kernel with this binding signature. */
  bindGroupLayout(bindings: readonly BindingKind[]): GPUBindGroupLayout {
    return this.layoutFor(bindings).group;
  }

  private layoutFor(bindings: readonly BindingKind[]) {
    const key = bindings.join(',');
    let entry = this.layouts.get(key);
    if (!entry) {
      const group = this.device.createBindGroupLayout({
        label: `sepconv layout(${key})`,
        entries: bindings.map((kind, binding) => ({
          binding,
          visibility: 0x4, // GPUShaderStage.COMPUTE
          // The uniform block sits at a dynamic offset in its batch's uniform buffer, so a
          // bind group can be reused across dispatches and batches (see Scheduler).
          buffer:
            kind === 'uniform'
              ? { type: 'uniform', hasDynamicOffset: true }
              : { type: kind === 'read' ? 'read-only-storage' : 'storage' },
        })),
      });
      const pipeline = this.device.createPipelineLayout({ label: `sepconv layout(${key})`, bindGroupLayouts: [group] });
      entry = { group, pipeline };
      this.layouts.set(key, entry);
    }
    return entry;
  }

  /** The pipeline for `program`, compiled asynchronously on first request. */
  get(program: Program, op: string): Promise<GPUComputePipeline> {
    const key = programKey(program);
    let pipeline = this.pipelines.get(key);
    if (!pipeline) {
      pipeline = this.compile(program, key, op);
      this.pipelines.set(key, pipeline);
    }
    return pipeline;
  }

  private async compile(program: Program, key: string, op: string): Promise<GPUComputePipeline> {
    const { kernel } = program;
    let module = this.modules.get(kernel.hash);
    if (!module) {
      module = this.device.createShaderModule({ label: `sepconv ${kernel.name}`, code: kernel.source });
      this.modules.set(kernel.hash, module);
    }
    if (this.printShaders) console.log(`[sepconv] pipeline ${key}\n${kernel.source}`);
    try {
      return await this.device.createComputePipelineAsync({
        label: `sepconv ${key}`,
        layout: this.layoutFor(kernel.bindings).pipeline,
        compute: { module, entryPoint: 'main', constants: { ...program.constants } },
      });
    } catch (cause) {
      this.pipelines.delete(key);
      const info = await module.getCompilationInfo().catch(() => null);
      const messages = info?.messages.map((m) => `${m.type} at ${m.lineNum}:${m.linePos}: ${m.message}`) ?? [];
      throw new SepconvError(
        'SHADER_COMPILE',
        { op, cause },
        `sepconv.${op}: GPU pipeline '${key}' failed to compile: ${String((cause as Error)?.message ?? cause)}` +
          (messages.length ? `\n${messages.join('\n')}` : ''),
      );
    }
  }
}
