// Types shared by the benchmark's pieces (Node runner, browser page, engines).

import type { KernelExplanation, LayerSpec, TuneOptions, TuningRecord } from 'sepconv';

/**
 * The networks of the end-to-end cases (bench/networks.json): MobileNets built by
 * sepconv's sequential() with seeded weights, and pretrained MediaPipe BlazeFace models
 * run from their ONNX files.
 */
export type NetworkName = 'mobilenetV1' | 'mobilenetV2' | 'blazefaceFront' | 'blazefaceBack';

/**
 * One case of bench/shapes.json (a single op) or bench/networks.json (a whole
 * network, op 'network'). Batch 1, NHWC, f32.
 */
export interface BenchCase {
  id: string;
  op: 'depthwise' | 'pointwise' | 'separable' | 'conv2d' | 'network';
  /** [N, H, W, C] */
  input: [number, number, number, number];
  /** [kh, kw]; absent for pointwise (1×1). */
  kernel?: [number, number];
  stride?: number;
  /** Depthwise channel multiplier (depthwise and separable). */
  multiplier?: number;
  /** Output channels (pointwise, separable, conv2d). */
  outChannels?: number;
  padding?: 'same' | 'valid';
  /** Network cases: which network (a MobileNet's Keras layer list from the library, or a BlazeFace ONNX file). */
  network?: NetworkName;
  /** MobileNet cases: width multiplier (Keras alpha). Default 1. */
  alpha?: number;
  /** MobileNet cases: classes of the softmax output. Default 1000. */
  classes?: number;
  note?: string;
}

/**
 * The data of a case, generated deterministically, in TF.js layouts:
 * - x: NHWC [N, H, W, C]
 * - depthwise (depthwise, separable): [kh, kw, C, M]
 * - pointwise (pointwise, separable): [Cin, Cout] (Cin = C·M for separable)
 * - filter (conv2d): HWIO [kh, kw, C, Cout]
 * - MobileNet cases: `layers` (the network's layer list) and `weights`, in Keras
 *   get_weights() order (batch norm unfolded: gamma, beta, moving mean, moving variance)
 * - ONNX file cases (BlazeFace): `onnx`, the file's bytes; `x` in the layout the file
 *   declares (BlazeFace: NHWC)
 * The output every engine returns is NHWC [N, Ho, Wo, Cout], flattened (MobileNets:
 * the softmax probabilities [N, classes], outShape [N, 1, 1, classes]; ONNX files:
 * every output in the file's order, flattened and concatenated, outShape [N, 1, 1, total]).
 */
export interface CaseData {
  x: Float32Array;
  depthwise?: Float32Array;
  pointwise?: Float32Array;
  filter?: Float32Array;
  layers?: LayerSpec[];
  weights?: Float32Array[];
  onnx?: Uint8Array;
  /** NHWC output shape. */
  outShape: [number, number, number, number];
}

/**
 * The engines of the bench; sepconv-webgpu-tuned is sepconv WebGPU after engine.tune() on each
 * case (`--tuned`); ort-wasm is onnxruntime-web's wasm execution provider. The wasm engines
 * (sepconv-wasm, tfjs-wasm, ort-wasm) run on one thread unless bench:browser has `--threads n`.
 */
export type EngineName = 'sepconv-webgpu' | 'sepconv-webgpu-tuned' | 'sepconv-wasm' | 'sepconv-cpu' | 'tfjs-webgpu' | 'tfjs-wasm' | 'ort-webgpu' | 'ort-wasm';

/** A case made ready to run on one engine: weights uploaded, model built. */
export interface PreparedCase {
  /**
   * Queues the op `k` times back to back (each on the same input), then reads the
   * last output back to the CPU and returns it (NHWC, flattened). Timing wraps this call.
   */
  run(k: number): Promise<Float32Array>;
  /** Frees everything prepare() made. */
  dispose(): Promise<void> | void;
  /** sepconv only: tunes the engine's kernels on this case (engine.tune / model.tune). */
  tune?(options?: TuneOptions): Promise<TuningRecord[]>;
  /** sepconv only: the kernel each op call of the case runs on (engine.explain). */
  explain?(): KernelExplanation[];
}

/** An engine under test. */
export interface BenchEngine {
  name: EngineName;
  /** Sets the engine up (device, backend, wasm); throws if it cannot run here. */
  init(): Promise<void>;
  /**
   * Whether the engine takes part in a case (default: every case). The harness gives
   * an engine no row at all for cases it does not take part in.
   */
  supports?(c: BenchCase): boolean;
  /** Uploads the case's data and builds what the op needs; not timed (first-run time is measured separately). */
  prepare(c: BenchCase, data: CaseData): Promise<PreparedCase>;
  /** Releases the engine. */
  destroy(): Promise<void> | void;
  /**
   * The wasm engines: CPU threads the engine runs on, as the engine itself reports it after
   * init() (sepconv `engine.threads`, TF.js `getThreadsCount()`, onnxruntime-web
   * `env.wasm.numThreads` once its runtime is up).
   */
  threads?(): number;
}

/** Adapter identity, as reported by WebGPU. */
export interface AdapterInfo {
  vendor: string;
  architecture: string;
  description: string;
}

/** One measured (case, engine) pair. Times in milliseconds; null where not measured. */
export interface BenchRow {
  case: string;
  op: BenchCase['op'];
  /** Network rows: which network. */
  network?: NetworkName;
  engine: EngineName;
  /** First run: prepare + one op + readback, shader compilation included. */
  firstMs: number | null;
  /** Median over ≥ 5 runs of (k queued ops + one readback) / k. */
  medianMs: number | null;
  /** Median of single op + readback. */
  latencyMs: number | null;
  gflops: number | null;
  /** Minimal bytes (input + weights + output, once each) per second, in GB/s. */
  gbps: number | null;
  /** Achieved GFLOP/s as a percentage of the roofline bound at this op's arithmetic intensity (GPU engines). */
  roofPct: number | null;
  /** Output agreed with sepconv-cpu before timing; rows that disagree are not timed. */
  agrees: boolean;
  /** Largest |output − sepconv-cpu output|. */
  maxAbsDiff: number | null;
  /** Why the row has no timing, when it has none. */
  error?: string;
}

export interface BenchResult {
  adapter: AdapterInfo;
  date: string;
  /** Where it ran: 'browser' (Chromium page) or 'node' (Dawn). */
  host: string;
  roofline: { gflops: number; gbps: number };
  /**
   * bench:browser: CPU threads of each wasm engine that ran (initialised), as the engine
   * reported it (BenchEngine.threads). Absent in results from before `--threads`, and in
   * Node results (no wasm engines): one thread.
   */
  threads?: Partial<Record<EngineName, number>>;
  /** bench:browser: whether the page was cross-origin isolated (COOP/COEP: `--threads` above 1). */
  crossOriginIsolated?: boolean;
  rows: BenchRow[];
}
