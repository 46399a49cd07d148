// A dedicated worker: a WebGPU engine, fromPixels of an OffscreenCanvas, a model (block),
// the result drawn as grey levels on the canvas the page transferred, and the values
// posted back for the page to check against its own CPU engine.
import { createEngine } from 'sepconv';
import { block, drawTestImage, IMAGE_H, IMAGE_W } from './shared.js';

self.onmessage = async (event: MessageEvent<{ canvas: OffscreenCanvas }>) => {
  try {
    const { canvas } = event.data;
    const engine = await createEngine({ backend: 'webgpu' });
    const source = new OffscreenCanvas(IMAGE_W, IMAGE_H);
    drawTestImage(source.getContext('2d') as OffscreenCanvasRenderingContext2D);
    const x = engine.fromPixels(source, { size: [canvas.height, canvas.width], fit: 'cover' });
    const y = block(engine, x);
    const values = await y.read();
    // Channel 0 of the result (sigmoid, 0…1) as grey levels on the page's canvas.
    const ctx = canvas.getContext('2d') as OffscreenCanvasRenderingContext2D;
    const img = ctx.createImageData(canvas.width, canvas.height);
    for (let p = 0; p < canvas.width * canvas.height; p++) {
      const v = Math.round((values[p * 2] as number) * 255);
      img.data.set([v, v, v, 255], p * 4);
    }
    ctx.putImageData(img, 0, 0);
    const drawn = [...ctx.getImageData(0, 0, canvas.width, canvas.height).data];
    engine.destroy();
    self.postMessage({ backend: engine.backend, shape: y.shape, values: [...values], drawn });
  } catch (e) {
    self.postMessage({ error: String((e as Error)?.stack ?? e) });
  }
};
