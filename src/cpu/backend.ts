import type { Backend, Conv2dParams, DepthwiseConv2dParams, OpExtras, PermuteParams, PointwiseConv2dParams, PoolParams } from '../backend.js';
import type { SeparableConv2dParams, SeparableWeights, SoftmaxParams, Storage } from '../backend.js';
import type { BinaryParams, UnaryParams } from '../backend.js';
import type { ConcatParams, PadParams, PixelsParams, Pool2dParams } from '../backend.js';
import { separableUnfused } from '../ops.js';
import { conv2dCpu } from './conv2d.js';
import { binaryCpu, unaryCpu } from './elementwise.js';
import { concatCpu } from './concat.js';
import { padCpu } from './pad.js';
import { pixelsCpu } from './pixels.js';
import { permuteCpu } from './permute.js';
import { pool2dCpu } from './pool2d.js';
import { globalAveragePoolCpu, softmaxCpu } from './pool.js';
import { depthwiseConv2dCpu } from './depthwise.js';
import { pointwiseConv2dCpu } from './pointwise.js';

/** CPU storage: the data itself. */
export class CpuStorage {
  constructor(public data: Float32Array) {}
}

/**
 * A copy of `a`. TypedArray.prototype.slice takes V8's generic path: about 40× slower
 * than allocating and set()ting (8 ms against 0.2 ms for 1.8 MB in Node 20).
 */
export function copyOf(a: Float32Array): Float32Array {
  const out = new Float32Array(a.length);
  out.set(a);
  return out;
}

/** The data of a CPU storage. */
export function data(s: Storage): Float32Array {
  return (s as CpuStorage).data;
}

/**
 * The reference backend: plain loops with float64 accumulation, run eagerly on the
 * calling thread. It is the `'cpu'` backend and the oracle the GPU tests compare against.
 */
export class CpuBackend implements Backend {
  readonly kind = 'cpu' as const;
  /** Float32Arrays of up to 2^30 elements; sepconv caps every tensor at 2^32 bytes anyway. */
  readonly maxTensorBytes = 2 ** 32;

  upload(values: Float32Array): Storage {
    return new CpuStorage(copyOf(values));
  }

  allocate(elements: number): Storage {
    return new CpuStorage(new Float32Array(elements));
  }

  async profile(steps: readonly (() => void)[]): Promise<{ ms: number[]; method: 'wall clock' }> {
    return {
      ms: steps.map((step) => {
        const t0 = performance.now();
        step();
        return performance.now() - t0;
      }),
      method: 'wall clock',
    };
  }

  /** CPU ops run at the call: nothing to group. */
  atomically<T>(fn: () => T): T {
    return fn();
  }

  depthwiseConv2d(x: Storage, filter: Storage, bias: Storage | null, p: DepthwiseConv2dParams): Storage {
    return new CpuStorage(depthwiseConv2dCpu(data(x), data(filter), bias && data(bias), p));
  }

  pointwiseConv2d(x: Storage, filter: Storage, bias: Storage | null, p: PointwiseConv2dParams, extras: OpExtras = {}): Storage {
    const residual = extras.residual ? data(extras.residual) : null;
    return new CpuStorage(pointwiseConv2dCpu(data(x), data(filter), bias && data(bias), p, residual));
  }

  globalAveragePool(x: Storage, p: PoolParams): Storage {
    return new CpuStorage(globalAveragePoolCpu(data(x), p));
  }

  softmax(x: Storage, p: SoftmaxParams): Storage {
    return new CpuStorage(softmaxCpu(data(x), p));
  }

  conv2d(x: Storage, filter: Storage, bias: Storage | null, p: Conv2dParams): Storage {
    return new CpuStorage(conv2dCpu(data(x), data(filter), bias && data(bias), p));
  }

  /** The definition, unfused: depthwise (with its bias, no activation), then pointwise (bias, activation). */
  separableConv2d(x: Storage, w: SeparableWeights, p: SeparableConv2dParams): Storage {
    return separableUnfused(this, x, w, p);
  }

  binary(a: Storage, b: Storage, p: BinaryParams): Storage {
    return new CpuStorage(binaryCpu(data(a), data(b), p));
  }

  unary(x: Storage, p: UnaryParams): Storage {
    return new CpuStorage(unaryCpu(data(x), p));
  }

  permute(x: Storage, p: PermuteParams): Storage {
    return new CpuStorage(permuteCpu(data(x), p));
  }

  concat(xs: readonly Storage[], p: ConcatParams): Storage {
    return new CpuStorage(concatCpu(xs.map(data), p));
  }

  pixels(bytes: Uint8Array, p: PixelsParams): Storage {
    return new CpuStorage(pixelsCpu(bytes, p));
  }

  pad(x: Storage, p: PadParams): Storage {
    return new CpuStorage(padCpu(data(x), p));
  }

  pool2d(x: Storage, p: Pool2dParams): Storage {
    return new CpuStorage(pool2dCpu(data(x), p));
  }

  async read(s: Storage): Promise<Float32Array> {
    return copyOf(data(s));
  }

  release(s: Storage): void {
    (s as CpuStorage).data = new Float32Array(0);
  }

  destroy(): void {}
}
