// Drawing tensors on the page without reading them back: the tensor's storage buffer
// (tensor.gpuBuffer()) is read by a fragment shader (draw-tensor.wgsl) that renders
// it on a canvas with a WebGPU context, on sepconv's own device (engine.device), in
// the same queue as the ops that computed it. The CPU drawing (drawRgb / drawChannel in
// image.ts) stays for the CPU backend and wherever a WebGPU context cannot be made.
//
// A canvas keeps the first kind of context it is asked for ('2d' or 'webgpu'), so a
// canvas is swapped for a fresh copy of itself (same id, class, size and attributes) when
// the other kind of drawing takes it over: `drawingCanvas` does that.

import type { Tensor } from 'sepconv';
import drawWgsl from './draw-tensor.wgsl?raw';
import { el } from './dom.js';
import type { DisplayMode } from './presets.js';

/** The shader's `mode` values. */
const MODES: Record<DisplayMode, number> = { clip: 0, abs: 1, signed: 2, stretch: 3 };

/** Which drawing a canvas of the page belongs to: the GPU's (a 'webgpu' context) or the CPU's ('2d'). */
export type DrawPath = 'gpu' | 'cpu';

const paths = new WeakMap<HTMLCanvasElement, DrawPath>();

/**
 * The canvas `id` of the page, ready for drawing by `path`: the same element when it has
 * no context yet or one of that kind, else a fresh copy of it that replaces it in the page
 * (a canvas cannot change its context kind). Sets `data-draw` to `path`.
 */
export function drawingCanvas(id: string, path: DrawPath): HTMLCanvasElement {
  let canvas = el<HTMLCanvasElement>(id);
  const had = paths.get(canvas);
  if (had !== undefined && had !== path) {
    const fresh = canvas.cloneNode(false) as HTMLCanvasElement;
    canvas.replaceWith(fresh);
    canvas = fresh;
  }
  paths.set(canvas, path);
  canvas.dataset.draw = path;
  return canvas;
}

/** One picture to draw: a [1, H, W, C] NHWC tensor on a canvas, as RGB (channels 0–2) or one channel as grey. */
export interface TensorPicture {
  /** Id of the canvas in the page. */
  id: string;
  tensor: Tensor;
  /** −1: RGB; otherwise the channel drawn as grey. */
  channel: number;
  mode: DisplayMode;
}

/** What one canvas keeps between draws: its context and its small buffers. */
interface Surface {
  canvas: HTMLCanvasElement;
  context: GPUCanvasContext;
  params: GPUBuffer;
  range: GPUBuffer;
}

const PARAMS_BYTES = 32; // Params in draw-tensor.wgsl: 6 × u32, padded to 16-byte multiples
const RANGE_BYTES = 8; // [lo, hi]

/**
 * Draws tensors of one GPUDevice on WebGPU canvases. One per device (`GpuPainter.of`);
 * the pipelines are made once, each canvas's context and buffers on its first draw.
 */
export class GpuPainter {
  private static readonly painters = new WeakMap<GPUDevice, GpuPainter>();

  /** The painter of `device` (made on the first call); null where this browser has no WebGPU canvas. */
  static of(device: GPUDevice): GpuPainter | null {
    let p = GpuPainter.painters.get(device);
    if (!p) {
      if (!navigator.gpu?.getPreferredCanvasFormat) return null;
      p = new GpuPainter(device, navigator.gpu.getPreferredCanvasFormat());
      GpuPainter.painters.set(device, p);
    }
    return p;
  }

  private readonly render: GPURenderPipeline;
  private readonly range: GPUComputePipeline;
  private readonly surfaces = new Map<string, Surface>();
  /** Set once a WebGPU context could not be made: the page's drawing stays on the CPU path from then on. */
  private unusable = false;

  private constructor(
    private readonly device: GPUDevice,
    private readonly format: GPUTextureFormat,
  ) {
    const module = device.createShaderModule({ label: 'demo draw-tensor', code: drawWgsl });
    this.render = device.createRenderPipeline({
      label: 'demo draw-tensor',
      layout: 'auto',
      vertex: { module, entryPoint: 'vs' },
      fragment: { module, entryPoint: 'fs', targets: [{ format }] },
      primitive: { topology: 'triangle-list' },
    });
    this.range = device.createComputePipeline({ label: 'demo draw-tensor range', layout: 'auto', compute: { module, entryPoint: 'range_main' } });
  }

  /**
   * The canvas `id` with a configured WebGPU context, or null when none can be made (the
   * caller then draws on the CPU). The element may be a fresh copy (see drawingCanvas).
   */
  private surface(id: string): Surface | null {
    if (this.unusable) return null;
    const known = this.surfaces.get(id);
    let canvas = drawingCanvas(id, 'gpu');
    if (known && known.canvas === canvas) return known;
    let context = canvas.getContext('webgpu');
    if (!context) {
      // Some other code asked this canvas for a 2D context first: a fresh copy can still have a WebGPU one.
      const fresh = canvas.cloneNode(false) as HTMLCanvasElement;
      canvas.replaceWith(fresh);
      paths.set(fresh, 'gpu');
      canvas = fresh;
      context = canvas.getContext('webgpu');
    }
    if (!context) {
      this.unusable = true;
      drawingCanvas(id, 'cpu');
      return null;
    }
    // 'opaque': the tensor's pixels as they are, as putImageData shows them (alpha 255).
    context.configure({ device: this.device, format: this.format, alphaMode: 'opaque' });
    known?.params.destroy();
    known?.range.destroy();
    const s: Surface = {
      canvas,
      context,
      params: this.device.createBuffer({ label: `demo draw ${id} params`, size: PARAMS_BYTES, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST }),
      range: this.device.createBuffer({ label: `demo draw ${id} range`, size: RANGE_BYTES, usage: GPUBufferUsage.STORAGE }),
    };
    this.surfaces.set(id, s);
    return s;
  }

  /**
   * Draws every picture from its tensor's GPU buffer: per canvas, one render pass (after a
   * range pass for 'stretch'), all in one submit, queued after the ops that compute the
   * tensors. Resolves with false, drawing nothing, when a WebGPU canvas context cannot be
   * made; with true once the work is submitted (the tensors may be disposed from then on:
   * queue order runs the draw before any later work that reuses their buffers).
   */
  async draw(pictures: readonly TensorPicture[]): Promise<boolean> {
    const views = await Promise.all(pictures.map((p) => p.tensor.gpuBuffer()));
    const surfaces = pictures.map((p) => this.surface(p.id));
    if (surfaces.some((s) => s === null)) return false;
    const { device } = this;
    const align = device.limits.minStorageBufferOffsetAlignment;
    const encoder = device.createCommandEncoder({ label: 'demo draw-tensor' });
    pictures.forEach((p, i) => {
      const s = surfaces[i] as Surface;
      const view = views[i] as { buffer: GPUBuffer; offset: number; size: number };
      const [, height, width, channels] = p.tensor.shape as [number, number, number, number];
      if (s.canvas.width !== width) s.canvas.width = width;
      if (s.canvas.height !== height) s.canvas.height = height;
      // A storage binding's offset must be aligned: bind from the aligned offset below the
      // tensor's and tell the shader where its first value is.
      const start = view.offset - (view.offset % align);
      const params = new ArrayBuffer(PARAMS_BYTES);
      const u = new Uint32Array(params);
      u.set([width, height, channels]);
      new Int32Array(params)[3] = p.channel;
      u[4] = MODES[p.mode];
      u[5] = (view.offset - start) / 4;
      device.queue.writeBuffer(s.params, 0, params);
      const tensorBinding = { buffer: view.buffer, offset: start, size: view.offset - start + view.size };
      if (p.mode === 'stretch') {
        const pass = encoder.beginComputePass({ label: 'demo draw-tensor range' });
        pass.setPipeline(this.range);
        pass.setBindGroup(
          0,
          device.createBindGroup({
            layout: this.range.getBindGroupLayout(0),
            entries: [
              { binding: 0, resource: tensorBinding },
              { binding: 1, resource: { buffer: s.params } },
              { binding: 2, resource: { buffer: s.range } },
            ],
          }),
        );
        pass.dispatchWorkgroups(1);
        pass.end();
      }
      const pass = encoder.beginRenderPass({
        label: `demo draw ${p.id}`,
        colorAttachments: [{ view: s.context.getCurrentTexture().createView(), loadOp: 'clear', clearValue: [0, 0, 0, 1], storeOp: 'store' }],
      });
      pass.setPipeline(this.render);
      pass.setBindGroup(
        0,
        device.createBindGroup({
          layout: this.render.getBindGroupLayout(0),
          entries: [
            { binding: 0, resource: tensorBinding },
            { binding: 1, resource: { buffer: s.params } },
            { binding: 3, resource: { buffer: s.range } },
          ],
        }),
      );
      pass.draw(3);
      pass.end();
    });
    device.queue.submit([encoder.finish()]);
    return true;
  }
}
