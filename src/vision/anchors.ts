// SSD anchor generation, as MediaPipe's SsdAnchorsCalculator does it
// (mediapipe/calculators/tflite/ssd_anchors_calculator.cc, the non-multiscale path): layers that
// share a stride are merged into one grid whose cells carry every merged layer's anchors, in layer
// order; within a grid, anchors run row by row, column by column, anchor by anchor. That order is
// the order of the model's output rows, so the decoder pairs output row i with anchor i.

import { SepconvError } from '../errors.js';

/**
 * An SSD anchor: its centre and size, normalised to the model input (0..1). With
 * `fixedAnchorSize` (BlazeFace) every anchor is 1×1 and only the centre matters.
 */
export interface Anchor {
  /** Centre, 0..1 across the input width. */
  x: number;
  /** Centre, 0..1 down the input height. */
  y: number;
  width: number;
  height: number;
}

/**
 * Options of MediaPipe's `SsdAnchorsCalculatorOptions` (the fields BlazeFace's graphs set). The
 * number of layers (`num_layers`) is `strides.length`; the feature map of a layer is
 * ceil(input / stride) cells each way.
 */
export interface SsdAnchorOptions {
  /** Model input width in pixels (`input_size_width`). */
  inputWidth: number;
  /** Model input height in pixels (`input_size_height`). */
  inputHeight: number;
  /** One stride per layer; consecutive equal strides share one grid. */
  strides: readonly number[];
  /** Anchor scale of the first layer (`min_scale`); unused with `fixedAnchorSize`. */
  minScale: number;
  /** Anchor scale of the last layer (`max_scale`); unused with `fixedAnchorSize`. */
  maxScale: number;
  /** Anchor centre within its cell, 0..1 (`anchor_offset_x`, default 0.5). */
  anchorOffsetX?: number;
  /** Anchor centre within its cell, 0..1 (`anchor_offset_y`, default 0.5). */
  anchorOffsetY?: number;
  /** Aspect ratios (width / height) of each layer's anchors (default `[1]`). */
  aspectRatios?: readonly number[];
  /** Every anchor 1×1 (`fixed_anchor_size`, default false): box sizes are then absolute. */
  fixedAnchorSize?: boolean;
  /** The first layer gets the three predefined anchors of SSD (`reduce_boxes_in_lowest_layer`, default false). */
  reduceBoxesInLowestLayer?: boolean;
  /**
   * Adds one anchor per layer at scale sqrt(scale · next scale) with this aspect ratio
   * (`interpolated_scale_aspect_ratio`, default 1; 0 or less adds none).
   */
  interpolatedScaleAspectRatio?: number;
}

// MediaPipe's CalculateScale: scales spread linearly from min to max over the layers.
function layerScale(minScale: number, maxScale: number, index: number, count: number): number {
  if (count === 1) return (minScale + maxScale) * 0.5;
  return minScale + ((maxScale - minScale) * index) / (count - 1);
}

function positive(value: number, arg: string): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw new SepconvError('INVALID_ARGUMENT', { op: 'ssdAnchors', arg, expected: 'a positive integer', given: String(value) });
  }
}

/**
 * The anchors of an SSD detector, in the order of the model's output rows: MediaPipe's
 * `SsdAnchorsCalculator`. BlazeFace front (128×128, strides 8, 16, 16, 16) gives 896 anchors:
 * 16×16 cells × 2 at stride 8, then 8×8 cells × 6 at stride 16.
 *
 * @example
 * const anchors = ssdAnchors(BLAZEFACE_FRONT.anchors); // anchors.length === 896
 */
export function ssdAnchors(options: SsdAnchorOptions): Anchor[] {
  const {
    inputWidth,
    inputHeight,
    strides,
    minScale,
    maxScale,
    anchorOffsetX = 0.5,
    anchorOffsetY = 0.5,
    aspectRatios = [1],
    fixedAnchorSize = false,
    reduceBoxesInLowestLayer = false,
    interpolatedScaleAspectRatio = 1,
  } = options;
  positive(inputWidth, 'inputWidth');
  positive(inputHeight, 'inputHeight');
  if (strides.length === 0) {
    throw new SepconvError('INVALID_ARGUMENT', { op: 'ssdAnchors', arg: 'strides', expected: 'one stride per layer', given: 'none' });
  }
  strides.forEach((s, i) => positive(s, `strides[${i}]`));
  if (aspectRatios.some((r) => !(r > 0))) {
    throw new SepconvError('INVALID_ARGUMENT', { op: 'ssdAnchors', arg: 'aspectRatios', expected: 'positive ratios', given: `[${aspectRatios.join(', ')}]` });
  }

  const anchors: Anchor[] = [];
  const layers = strides.length;
  let layer = 0;
  while (layer < layers) {
    const ratios: number[] = [];
    const scales: number[] = [];
    let last = layer;
    for (; last < layers && strides[last] === strides[layer]; last++) {
      const scale = layerScale(minScale, maxScale, last, layers);
      if (last === 0 && reduceBoxesInLowestLayer) {
        ratios.push(1, 2, 0.5);
        scales.push(0.1, scale, scale);
      } else {
        for (const r of aspectRatios) {
          ratios.push(r);
          scales.push(scale);
        }
        if (interpolatedScaleAspectRatio > 0) {
          const next = last === layers - 1 ? 1 : layerScale(minScale, maxScale, last + 1, layers);
          scales.push(Math.sqrt(scale * next));
          ratios.push(interpolatedScaleAspectRatio);
        }
      }
    }
    const stride = strides[layer] as number;
    const rows = Math.ceil(inputHeight / stride);
    const cols = Math.ceil(inputWidth / stride);
    for (let y = 0; y < rows; y++) {
      for (let x = 0; x < cols; x++) {
        for (let a = 0; a < ratios.length; a++) {
          const sqrtRatio = Math.sqrt(ratios[a] as number);
          const scale = scales[a] as number;
          anchors.push({
            x: (x + anchorOffsetX) / cols,
            y: (y + anchorOffsetY) / rows,
            width: fixedAnchorSize ? 1 : scale * sqrtRatio,
            height: fixedAnchorSize ? 1 : scale / sqrtRatio,
          });
        }
      }
    }
    layer = last;
  }
  return anchors;
}
