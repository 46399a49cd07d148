import { describe, expect, test } from 'vitest';
import { countFlops, countParams, SepconvError } from '../../src/index.js';

describe('countParams', () => {
  test("the seed's example: 3 → 32, 3×3", () => {
    expect(countParams({ op: 'conv2d', inChannels: 3, outChannels: 32, kernelSize: 3 })).toBe(864);
    expect(countParams({ op: 'separable', inChannels: 3, outChannels: 32, kernelSize: 3 })).toBe(123);
    expect(countParams({ op: 'depthwise', inChannels: 3, kernelSize: 3 })).toBe(27);
    expect(countParams({ op: 'pointwise', inChannels: 3, outChannels: 32 })).toBe(96);
  });
  test('bias, groups, multiplier, rectangular kernels', () => {
    // Keras Conv2D(32, 3, use_bias=True) on 3 channels: 864 + 32
    expect(countParams({ op: 'conv2d', inChannels: 3, outChannels: 32, kernelSize: 3, bias: true })).toBe(896);
    // groups 4: each of 32 filters sees 8 of 32 channels: 3·3·8·32
    expect(countParams({ op: 'conv2d', inChannels: 32, outChannels: 32, kernelSize: 3, groups: 4 })).toBe(2304);
    // depthwise 3×5, multiplier 2, bias: 3·5·16·2 + 32
    expect(countParams({ op: 'depthwise', inChannels: 16, kernelSize: [3, 5], depthMultiplier: 2, bias: true })).toBe(512);
    // Keras SeparableConv2D(64, 3, depth_multiplier=2) on 32 channels: 3·3·32·2 + 64·64 + 64
    expect(countParams({ op: 'separable', inChannels: 32, outChannels: 64, kernelSize: 3, depthMultiplier: 2, bias: true })).toBe(576 + 4096 + 64);
  });
  test('bad specs throw SepconvError naming the field', () => {
    expect(() => countParams({ op: 'conv2d', inChannels: 3, outChannels: 32 })).toThrow(/countParams: argument 'spec.kernelSize'/);
    expect(() => countParams({ op: 'conv2d', inChannels: 3, outChannels: 32, kernelSize: 3, groups: 2 })).toThrow(SepconvError);
    expect(() => countParams({ op: 'depthwise', inChannels: 3, outChannels: 7, kernelSize: 3 })).toThrow(/'spec.outChannels': expected inChannels·depthMultiplier = 3, got 7/);
    expect(() => countParams({ op: 'dense' as never, inChannels: 3 })).toThrow(/'spec.op'/);
    expect(() => countParams({ op: 'pointwise', inChannels: 0, outChannels: 3 })).toThrow(/'spec.inChannels': expected a positive integer, got 0/);
  });
});

describe('countFlops', () => {
  test('2 per multiply-add over the output pixels', () => {
    // MobileNetV2 first depthwise: 112×112×32, 3×3, same → 112·112·9·32 MACs
    expect(countFlops({ op: 'depthwise', inChannels: 32, kernelSize: 3, inputSize: [112, 112], padding: 'same' })).toBe(2 * 112 * 112 * 9 * 32);
    // stride 2 'same' halves each side: 56·56
    expect(countFlops({ op: 'depthwise', inChannels: 96, kernelSize: 3, inputSize: [112, 112], stride: 2, padding: 'same' })).toBe(2 * 56 * 56 * 9 * 96);
    expect(countFlops({ op: 'pointwise', inChannels: 32, outChannels: 16, inputSize: [112, 112] })).toBe(2 * 112 * 112 * 32 * 16);
    // 'valid' 3×3 on 8×8 → 6×6
    expect(countFlops({ op: 'conv2d', inChannels: 3, outChannels: 32, kernelSize: 3, inputSize: [8, 8] })).toBe(2 * 36 * 27 * 32);
    expect(countFlops({ op: 'separable', inChannels: 3, outChannels: 32, kernelSize: 3, inputSize: [8, 8], padding: 'same' })).toBe(2 * 64 * (27 + 96));
  });
  test('needs inputSize', () => {
    expect(() => countFlops({ op: 'pointwise', inChannels: 3, outChannels: 3 })).toThrow(/countFlops: argument 'spec.inputSize': expected \[H, W\]/);
  });
});
