// What the page and its worker share: the test image, drawn on any 2D canvas, and
// the small network both run on fromPixels' output.
import type { Engine, Tensor } from 'sepconv';

export const IMAGE_W = 37;
export const IMAGE_H = 23;

/** An opaque test image: a colour gradient with a few shapes, so every channel varies. */
export function drawTestImage(ctx: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D): void {
  const g = ctx.createLinearGradient(0, 0, IMAGE_W, IMAGE_H);
  g.addColorStop(0, 'rgb(250, 20, 40)');
  g.addColorStop(0.5, 'rgb(30, 200, 90)');
  g.addColorStop(1, 'rgb(20, 60, 240)');
  ctx.fillStyle = g;
  ctx.fillRect(0, 0, IMAGE_W, IMAGE_H);
  ctx.fillStyle = 'rgb(255, 255, 0)';
  ctx.fillRect(5, 4, 9, 6);
  ctx.fillStyle = 'rgb(0, 0, 0)';
  ctx.fillRect(22, 12, 7, 8);
}

/** A depthwise 3×3 + pointwise 3 → 2 block with fixed weights: [1, H, W, 3] → [1, H, W, 2]. */
export function block(e: Engine, x: Tensor): Tensor {
  const dw = e.tensor(Float32Array.from({ length: 27 }, (_, i) => Math.sin(i * 1.7) * 0.5), [3, 3, 3, 1]);
  const pw = e.tensor(Float32Array.from({ length: 6 }, (_, i) => Math.cos(i * 0.9)), [3, 2]);
  return e.pointwiseConv2d(e.depthwiseConv2d(x, dw, { padding: 'same', activation: 'relu' }), pw, { activation: 'sigmoid' });
}
