// What the page and its worker share: the test image, drawn on any 2D canvas, and
// the small model both run on fromPixels' output.
import { sequential, type Engine, type Tensor } from 'sepconv';

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

/**
 * A small model, depthwise 3×3 (relu) + pointwise 3 → 2 (sigmoid) with fixed weights,
 * built for x's size and run on x: [1, H, W, 3] → [1, H, W, 2].
 */
export function block(e: Engine, x: Tensor): Tensor {
  const depthwise = Float32Array.from({ length: 27 }, (_, i) => Math.sin(i * 1.7) * 0.5); // [3, 3, 3, 1]
  const pointwise = Float32Array.from({ length: 6 }, (_, i) => Math.cos(i * 0.9)); // [1, 1, 3, 2]
  const model = sequential(
    [
      { type: 'depthwiseConv2d', kernelSize: 3, padding: 'same', useBias: false, activation: 'relu' },
      { type: 'pointwiseConv2d', filters: 2, useBias: false, activation: 'sigmoid' },
    ],
    { engine: e, inputShape: [x.shape[1] as number, x.shape[2] as number, 3], weights: [depthwise, pointwise] },
  );
  return model.predict(x);
}
