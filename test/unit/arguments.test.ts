// Bad arguments throw at the call, with an Error naming the op, the argument,
// what was expected and what was given; the engine keeps working afterwards.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createEngine, SepconvError, type Engine, type Tensor } from '../../src/index.js';
import '../support/setup.js';

let e: Engine;
let other: Engine;

const x = () => e.tensor(new Float32Array(2 * 5 * 5 * 3), [2, 5, 5, 3]);
const dw = () => e.tensor(new Float32Array(3 * 3 * 3 * 2), [3, 3, 3, 2]);
const pw = () => e.tensor(new Float32Array(3 * 4), [3, 4]);

function expectError(fn: () => unknown, code: string, message: RegExp) {
  let err: unknown;
  try {
    fn();
  } catch (caught) {
    err = caught;
  }
  expect(err, 'expected a throw').toBeInstanceOf(SepconvError);
  const se = err as SepconvError;
  expect(se.code).toBe(code);
  expect(se.message).toMatch(message);
  // Every argument error names the op, the argument, what was expected and what was given.
  if (se.code !== 'ENGINE_DESTROYED') {
    expect(se.op).toBeTruthy();
    expect(se.arg).toBeTruthy();
    expect(se.expected).toBeTruthy();
    expect(se.given).toBeTruthy();
  }
}

// The same catalogue on both backends: validation happens in the Engine, before any backend work.
describe.each(['cpu', 'webgpu'] as const)('argument checks (%s)', (backend) => {
  beforeAll(async () => {
    e = await createEngine({ backend });
    other = await createEngine({ backend });
  });
  afterAll(() => {
    e.destroy();
    other.destroy();
  });

  const cases: [string, () => unknown, string, RegExp][] = [
    ['input of wrong rank', () => e.depthwiseConv2d(e.tensor([1, 2, 3], [3]), dw()), 'INVALID_ARGUMENT', /depthwiseConv2d: argument 'x': expected rank 4 \[N, H, W, C\], got rank 1 \[3\]/],
    ['filter of wrong rank', () => e.depthwiseConv2d(x(), e.tensor([1, 2], [2])), 'INVALID_ARGUMENT', /depthwiseConv2d: argument 'filter': expected rank 4/],
    ['channel mismatch', () => e.depthwiseConv2d(x(), e.tensor(new Float32Array(9 * 4), [3, 3, 4, 1])), 'SHAPE_MISMATCH', /depthwiseConv2d: argument 'filter': expected shape \[kh, kw, 3, M\].*got \[3, 3, 4, 1\]/],
    ['depthwise bias length', () => e.depthwiseConv2d(x(), dw(), { bias: e.tensor([1, 2, 3], [3]) }), 'SHAPE_MISMATCH', /depthwiseConv2d: argument 'options.bias': expected shape \[6\].*got \[3\]/],
    ['stride 0', () => e.depthwiseConv2d(x(), dw(), { stride: 0 }), 'INVALID_ARGUMENT', /depthwiseConv2d: argument 'options.stride': expected a positive integer.*got 0/],
    ['negative stride', () => e.depthwiseConv2d(x(), dw(), { stride: [1, -2] }), 'INVALID_ARGUMENT', /'options.stride'.*got \[1, -2\]/],
    ['dilation 0', () => e.depthwiseConv2d(x(), dw(), { dilation: 0 }), 'INVALID_ARGUMENT', /depthwiseConv2d: argument 'options.dilation'.*got 0/],
    ['fractional dilation', () => e.depthwiseConv2d(x(), dw(), { dilation: 1.5 }), 'INVALID_ARGUMENT', /'options.dilation'.*got 1.5/],
    ['unknown padding', () => e.depthwiseConv2d(x(), dw(), { padding: 'full' as never }), 'INVALID_ARGUMENT', /'options.padding'.*got 'full'/],
    ['kernel larger than padded input', () => e.depthwiseConv2d(x(), e.tensor(new Float32Array(7 * 7 * 3), [7, 7, 3, 1])), 'EMPTY_OUTPUT', /depthwiseConv2d: argument 'filter': expected a dilated kernel no larger than the padded input \(5×5\), got 7×7/],
    ['dilated kernel larger than input', () => e.depthwiseConv2d(x(), dw(), { dilation: 3 }), 'EMPTY_OUTPUT', /got 7×7 \(kernel 3×3, dilation 3×3\)/],
    ['unknown activation', () => e.depthwiseConv2d(x(), dw(), { activation: 'gelu' as never }), 'INVALID_ARGUMENT', /'options.activation': expected one of 'linear', 'relu', 'relu6', 'leakyRelu', 'sigmoid', 'tanh', 'hardSwish', 'elu', 'clip', 'hardSigmoid', got 'gelu'/],
    ['pointwise channel mismatch', () => e.pointwiseConv2d(x(), e.tensor(new Float32Array(8), [2, 4])), 'SHAPE_MISMATCH', /pointwiseConv2d: argument 'filter': expected Cin = 3.*got filter shape \[2, 4\]/],
    ['pointwise filter rank', () => e.pointwiseConv2d(x(), e.tensor(new Float32Array(3 * 4 * 9), [3, 3, 3, 4])), 'INVALID_ARGUMENT', /pointwiseConv2d: argument 'filter': expected shape \[Cin, Cout\] or \[1, 1, Cin, Cout\], got \[3, 3, 3, 4\]/],
    ['pointwise bias length', () => e.pointwiseConv2d(x(), pw(), { bias: e.tensor([1], [1]) }), 'SHAPE_MISMATCH', /pointwiseConv2d: argument 'options.bias': expected shape \[4\]/],
    ['pointwise input rank', () => e.pointwiseConv2d(e.tensor([1, 2, 3], [1, 3]), pw()), 'INVALID_ARGUMENT', /pointwiseConv2d: argument 'x': expected rank 4/],
    ['tensor from another engine', () => e.depthwiseConv2d(other.tensor(new Float32Array(75), [1, 5, 5, 3]), dw()), 'WRONG_ENGINE', /depthwiseConv2d: argument 'x': expected a tensor created by this engine, got a tensor of another engine/],
    ['filter from another engine', () => e.pointwiseConv2d(x(), other.tensor(new Float32Array(12), [3, 4])), 'WRONG_ENGINE', /pointwiseConv2d: argument 'filter'/],
    ['disposed input', () => { const t = x(); t.dispose(); return e.depthwiseConv2d(t, dw()); }, 'DISPOSED', /depthwiseConv2d: argument 'x': expected a live tensor, got a disposed tensor/],
    ['disposed bias', () => { const b = e.tensor(new Float32Array(4), [4]); b.dispose(); return e.pointwiseConv2d(x(), pw(), { bias: b }); }, 'DISPOSED', /pointwiseConv2d: argument 'options.bias'/],
    ['not a tensor', () => e.depthwiseConv2d(new Float32Array(4) as unknown as Tensor, dw()), 'INVALID_ARGUMENT', /depthwiseConv2d: argument 'x': expected a Tensor, got Float32Array/],
    ['data length', () => e.tensor(new Float32Array(5), [2, 2]), 'SHAPE_MISMATCH', /tensor: argument 'data': expected 4 elements for shape \[2, 2\], got 5/],
    ['zero dimension', () => e.tensor(new Float32Array(0), [1, 0, 2, 1]), 'INVALID_ARGUMENT', /tensor: argument 'shape\[1\]': expected a positive integer, got 0/],
    ['groups not dividing Cin', () => e.conv2d(x(), e.tensor(new Float32Array(9 * 3 * 4), [3, 3, 3, 4]), { groups: 2 }), 'SHAPE_MISMATCH', /conv2d: argument 'options.groups': expected a divisor of the input channels \(3\), got 2/],
    ['groups not dividing Cout', () => e.conv2d(e.tensor(new Float32Array(2 * 5 * 5 * 4), [2, 5, 5, 4]), e.tensor(new Float32Array(9 * 2 * 3), [3, 3, 2, 3]), { groups: 2 }), 'SHAPE_MISMATCH', /conv2d: argument 'options.groups': expected a divisor of the output channels \(3\), got 2/],
    ['fractional groups', () => e.conv2d(x(), dw(), { groups: 1.5 }), 'INVALID_ARGUMENT', /conv2d: argument 'options.groups': expected a positive integer, got 1.5/],
    ['conv2d filter channels', () => e.conv2d(x(), e.tensor(new Float32Array(9 * 2 * 4), [3, 3, 2, 4])), 'SHAPE_MISMATCH', /conv2d: argument 'filter': expected HWIO shape \[kh, kw, 3, Cout\]/],
    ['conv2d OIHW filter channels', () => e.conv2d(x(), e.tensor(new Float32Array(9 * 2 * 4), [4, 2, 3, 3]), { filterLayout: 'OIHW' }), 'SHAPE_MISMATCH', /conv2d: argument 'filter': expected OIHW shape \[Cout, 3, kh, kw\]/],
    ['unknown filterLayout', () => e.conv2d(x(), dw(), { filterLayout: 'HWOI' as never }), 'INVALID_ARGUMENT', /'options.filterLayout': expected 'HWIO' or 'OIHW', got 'HWOI'/],
    ['depthwise OIHW shape', () => e.depthwiseConv2d(x(), e.tensor(new Float32Array(7 * 9), [7, 1, 3, 3]), { filterLayout: 'OIHW' }), 'SHAPE_MISMATCH', /depthwiseConv2d: argument 'filter': expected OIHW shape \[3·M, 1, kh, kw\]/],
    ['separable pointwise channels', () => e.separableConv2d(x(), dw(), e.tensor(new Float32Array(5 * 2), [5, 2])), 'SHAPE_MISMATCH', /separableConv2d: argument 'pointwiseFilter': expected Cin = 6/],
    ['separable depthwise bias', () => e.separableConv2d(x(), dw(), e.tensor(new Float32Array(12), [6, 2]), { depthwiseBias: e.tensor([1], [1]) }), 'SHAPE_MISMATCH', /separableConv2d: argument 'options.depthwiseBias': expected shape \[6\]/],
    ['bad alpha', () => e.depthwiseConv2d(x(), dw(), { activation: 'leakyRelu', alpha: NaN }), 'INVALID_ARGUMENT', /'options.alpha': expected a finite number, got NaN/],
    ['NCHW of rank 2', () => e.tensor([1, 2], [1, 2], { layout: 'NCHW' }), 'INVALID_ARGUMENT', /tensor: argument 'options.layout': expected 'NCHW' only for rank-4 shapes/],
    ['unknown layout', () => e.tensor([1], [1], { layout: 'CHWN' as never }), 'INVALID_ARGUMENT', /'options.layout': expected 'NHWC' or 'NCHW', got 'CHWN'/],
    ['NCHW input of wrong rank message', () => e.depthwiseConv2d(e.tensor([1, 2, 3], [3]), dw()), 'INVALID_ARGUMENT', /rank 4 \[N, H, W, C\]/],
    ['transpose perm', () => e.transpose(x(), [0, 1, 1, 3]), 'INVALID_ARGUMENT', /transpose: argument 'perm': expected a permutation of 0..3, got \[0, 1, 1, 3\]/],
    ['negative dimension', () => e.tensor(new Float32Array(2), [2, -1]), 'INVALID_ARGUMENT', /tensor: argument 'shape\[1\]': expected a positive integer, got -1/],
    ['fractional dimension', () => e.tensor(new Float32Array(3), [1.5, 2]), 'INVALID_ARGUMENT', /tensor: argument 'shape\[0\]': expected a positive integer, got 1.5/],
    ['empty shape', () => e.tensor(new Float32Array(1), []), 'INVALID_ARGUMENT', /tensor: argument 'shape': expected a non-empty array/],
    ['element count over 2^32 bytes', () => e.tensor(new Float32Array(1), [65536, 65536]), 'TOO_LARGE', /tensor: argument 'shape': expected a tensor of at most (2\^32 bytes|the device's maxBufferSize \(\d+ bytes\)), got \[65536, 65536\] = 4294967296 elements/],
    ['op output over 2^32 bytes', () => e.depthwiseConv2d(e.tensor(new Float32Array(1), [1, 1, 1, 1]), e.tensor(new Float32Array(1), [1, 1, 1, 1]), { padding: [0, 40000, 0, 40000] }), 'TOO_LARGE', /depthwiseConv2d: argument 'output': expected a tensor of at most (2\^32 bytes|the device's maxBufferSize)/],
    ['data of strings', () => e.tensor(['1', '2'] as unknown as number[], [2]), 'INVALID_ARGUMENT', /tensor: argument 'data\[0\]': expected a number, got '1'/],
    ['BigInt data', () => e.tensor(new BigInt64Array(2) as unknown as number[], [2]), 'INVALID_ARGUMENT', /tensor: argument 'data': expected numbers \(BigInt arrays are not converted\)/],
    ['data not an array', () => e.tensor(42 as unknown as number[], [1]), 'INVALID_ARGUMENT', /tensor: argument 'data': expected a Float32Array, another typed array or an array of numbers, got 42/],
    ['NaN stride', () => e.depthwiseConv2d(x(), dw(), { stride: NaN }), 'INVALID_ARGUMENT', /'options.stride'.*got NaN/],
    ['fractional stride', () => e.conv2d(x(), e.tensor(new Float32Array(27), [3, 3, 3, 1]), { stride: [1, 0.5] }), 'INVALID_ARGUMENT', /conv2d: argument 'options.stride'.*got \[1, 0.5\]/],
    ['negative dilation', () => e.separableConv2d(x(), dw(), e.tensor(new Float32Array(12), [6, 2]), { dilation: -1 }), 'INVALID_ARGUMENT', /separableConv2d: argument 'options.dilation'.*got -1/],
    ['padding of wrong arity', () => e.depthwiseConv2d(x(), dw(), { padding: [1, 1] as never }), 'INVALID_ARGUMENT', /'options.padding'.*got \[1, 1\]/],
    ['negative padding', () => e.conv2d(x(), e.tensor(new Float32Array(27), [3, 3, 3, 1]), { padding: -1 }), 'INVALID_ARGUMENT', /conv2d: argument 'options.padding'.*got -1/],
    ['multiplier that does not divide (OIHW depthwise)', () => e.depthwiseConv2d(x(), e.tensor(new Float32Array(4 * 9), [4, 1, 3, 3]), { filterLayout: 'OIHW' }), 'SHAPE_MISMATCH', /OIHW shape \[3·M, 1, kh, kw\].*got \[4, 1, 3, 3\]/],
    ['disposed filter', () => { const f = dw(); f.dispose(); return e.depthwiseConv2d(x(), f); }, 'DISPOSED', /depthwiseConv2d: argument 'filter': expected a live tensor/],
    ['conv2d bias from another engine', () => e.conv2d(x(), e.tensor(new Float32Array(27), [3, 3, 3, 1]), { bias: other.tensor([1], [1]) }), 'WRONG_ENGINE', /conv2d: argument 'options.bias'/],
    ['options not an object', () => e.pointwiseConv2d(x(), pw(), 'relu' as never), 'INVALID_ARGUMENT', /pointwiseConv2d: argument 'options': expected an object, got 'relu'/],
    ['transpose of rank 5', () => e.transpose(e.tensor([1], [1, 1, 1, 1, 1]), [0, 1, 2, 3, 4]), 'INVALID_ARGUMENT', /transpose: argument 'x': expected a tensor of rank ≤ 4/],
    ['NaN dimension', () => e.tensor(new Float32Array(2), [2, NaN]), 'INVALID_ARGUMENT', /'shape\[1\]'.*got NaN/],
    ['clip without its upper bound', () => e.depthwiseConv2d(x(), dw(), { activation: 'clip', alpha: 0 }), 'INVALID_ARGUMENT', /depthwiseConv2d: argument 'options.beta': expected a number \(clip's upper bound\), got undefined/],
    ['clip without its lower bound', () => e.pointwiseConv2d(x(), pw(), { activation: 'clip', beta: 6 }), 'INVALID_ARGUMENT', /pointwiseConv2d: argument 'options.alpha': expected a number \(clip's lower bound\), got undefined/],
    ['clip bounds the wrong way round', () => e.conv2d(x(), dw(), { activation: 'clip', alpha: 2, beta: 1 }), 'INVALID_ARGUMENT', /conv2d: argument 'options.beta': expected clip's upper bound ≥ options.alpha \(2\), got 1/],
    ['beta not finite', () => e.add(x(), x(), { activation: 'hardSigmoid', beta: Infinity }), 'INVALID_ARGUMENT', /add: argument 'options.beta': expected a finite number, got Infinity/],
    ['add of shapes that do not broadcast', () => e.add(e.tensor(new Float32Array(6), [2, 3]), e.tensor([1, 2], [2])), 'SHAPE_MISMATCH', /add: argument 'b': expected a shape that broadcasts against a's \[2, 3\] \(dimensions from the right equal or 1\), got \[2\]/],
    ['mul with a per-channel scale of the wrong length', () => e.mul(x(), e.tensor(new Float32Array(4), [1, 1, 1, 4])), 'SHAPE_MISMATCH', /mul: argument 'b': expected a shape that broadcasts against a's \[2, 5, 5, 3\].*got \[1, 1, 1, 4\]/],
    ['sub of rank 5', () => e.sub(e.tensor([1], [1, 1, 1, 1, 1]), x()), 'INVALID_ARGUMENT', /sub: argument 'a': expected a tensor of rank ≤ 4, got rank 5 \[1, 1, 1, 1, 1\]/],
    ['div of NCHW by NHWC', () => e.div(e.tensor(new Float32Array(150), [2, 3, 5, 5], { layout: 'NCHW' }), e.tensor(new Float32Array(3), [1, 1, 1, 3])), 'INVALID_ARGUMENT', /div: argument 'b': expected a tensor laid out as 'a' \('NCHW'\), got 'NHWC'/],
    ['add of a disposed tensor', () => { const t = x(); t.dispose(); return e.add(x(), t); }, 'DISPOSED', /add: argument 'b': expected a live tensor/],
    ['mul by a non-tensor', () => e.mul(x(), 2 as never), 'INVALID_ARGUMENT', /mul: argument 'b': expected a Tensor, got 2/],
    ['add with an unknown activation', () => e.add(x(), x(), { activation: 'swish' as never }), 'INVALID_ARGUMENT', /add: argument 'options.activation': expected one of .*got 'swish'/],
    ['concat of no tensors', () => e.concat([]), 'INVALID_ARGUMENT', /concat: argument 'tensors': expected a non-empty array of tensors, got \[\]/],
    ['concat axis out of range', () => e.concat([x(), x()], 4), 'INVALID_ARGUMENT', /concat: argument 'axis': expected an integer from -4 to 3 \(the tensors' rank is 4\), got 4/],
    ['concat shapes that differ off the axis', () => e.concat([x(), e.tensor(new Float32Array(2 * 5 * 4 * 3), [2, 5, 4, 3])], 3), 'SHAPE_MISMATCH', /concat: argument 'tensors\[1\]': expected shape \[2, 5, 5, \*\] \(tensors\[0\]'s but on axis 3\), got \[2, 5, 4, 3\]/],
    ['concat of different ranks', () => e.concat([x(), e.tensor([1, 2], [1, 2])]), 'SHAPE_MISMATCH', /concat: argument 'tensors\[1\]'.*got \[1, 2\]/],
    ['concat of NHWC and NCHW', () => e.concat([x(), e.tensor(new Float32Array(2 * 5 * 5 * 3), [2, 5, 5, 3], { layout: 'NCHW' })], 0), 'SHAPE_MISMATCH', /concat: argument 'tensors\[1\]': expected an NHWC tensor \(tensors\[0\]'s layout\), got an NCHW tensor/],
    ['concat of a disposed tensor', () => { const t = x(); t.dispose(); return e.concat([x(), t]); }, 'DISPOSED', /concat: argument 'tensors\[1\]': expected a live tensor/],
    ['concat of rank 5', () => e.concat([e.tensor([1], [1, 1, 1, 1, 1])]), 'INVALID_ARGUMENT', /concat: argument 'tensors\[0\]': expected a tensor of rank ≤ 4, got rank 5/],
    ['pad with a negative amount', () => e.pad(x(), [[0, 0], [1, -1], [0, 0], [0, 0]]), 'INVALID_ARGUMENT', /pad: argument 'paddings\[1\]': expected a pair \[before, after\] of non-negative integers, got \[1, -1\]/],
    ['pad with one pair too few', () => e.pad(x(), [[0, 0], [1, 1], [1, 1]]), 'INVALID_ARGUMENT', /pad: argument 'paddings': expected 4 pairs \[before, after\] of non-negative integers, one per dimension of \[2, 5, 5, 3\]/],
    ['pad value not a number', () => e.pad(x(), [[0, 0], [0, 0], [0, 0], [0, 0]], '0' as never), 'INVALID_ARGUMENT', /pad: argument 'constantValue': expected a number, got '0'/],
    ['pad output over 2^32 bytes', () => e.pad(e.tensor([1], [1, 1]), [[0, 40000], [0, 40000]]), 'TOO_LARGE', /pad: argument 'output': expected a tensor of at most/],
    ['maxPool without kernelSize', () => e.maxPool(x(), {} as never), 'INVALID_ARGUMENT', /maxPool: argument 'options.kernelSize': expected a positive integer or a pair \[kh, kw\] of positive integers, got undefined/],
    ['maxPool window larger than the padded input', () => e.maxPool(x(), { kernelSize: [6, 2] }), 'EMPTY_OUTPUT', /maxPool: argument 'options.kernelSize': expected a dilated kernel no larger than the padded input \(5×5\), got 6×2/],
    ['avgPool stride 0', () => e.avgPool(x(), { kernelSize: 2, stride: 0 }), 'INVALID_ARGUMENT', /avgPool: argument 'options.stride': expected a positive integer.*got 0/],
    ['avgPool negative padding', () => e.avgPool(x(), { kernelSize: 2, padding: [0, -1, 0, 0] as never }), 'INVALID_ARGUMENT', /avgPool: argument 'options.padding'.*got \[0, -1, 0, 0\]/],
    ['avgPool countIncludePad not a boolean', () => e.avgPool(x(), { kernelSize: 2, countIncludePad: 1 as never }), 'INVALID_ARGUMENT', /avgPool: argument 'options.countIncludePad': expected a boolean, got 1/],
    ['maxPool of rank 3', () => e.maxPool(e.tensor(new Float32Array(8), [2, 2, 2]), { kernelSize: 1 }), 'INVALID_ARGUMENT', /maxPool: argument 'x': expected rank 4 \[N, H, W, C\]/],
    ['matMul of rank 3', () => e.matMul(e.tensor(new Float32Array(8), [2, 2, 2]), e.tensor(new Float32Array(4), [2, 2])), 'INVALID_ARGUMENT', /matMul: argument 'a': expected rank 2 \[M, K\], got rank 3 \[2, 2, 2\]/],
    ['matMul inner dimensions', () => e.matMul(e.tensor(new Float32Array(6), [2, 3]), e.tensor(new Float32Array(4), [2, 2])), 'SHAPE_MISMATCH', /matMul: argument 'b': expected shape \[3, N\] \(K = 3, the columns of a\), got \[2, 2\]/],
    ['matMul b from another engine', () => e.matMul(e.tensor(new Float32Array(6), [2, 3]), other.tensor(new Float32Array(6), [3, 2])), 'WRONG_ENGINE', /matMul: argument 'b'/],
  ];

  test('the catalogue has at least 30 cases', () => expect(cases.length).toBeGreaterThanOrEqual(30));

  test.each(cases)('%s', (_name, fn, code, message) => {
    expectError(fn, code, message);
  });

  test('the engine still gives correct results after every bad call', async () => {
    for (const [, fn] of cases) {
      try {
        fn();
      } catch {
        // expected
      }
    }
    const y = e.depthwiseConv2d(e.tensor([1, 2, 3, 4], [1, 2, 2, 1]), e.tensor([1, 1, 1, 1], [2, 2, 1, 1]));
    expect([...(await y.read())]).toEqual([10]);
  });

  test('read of a disposed tensor rejects; double dispose is harmless', async () => {
    const t = e.tensor([1], [1]);
    t.dispose();
    t.dispose();
    await expect(t.read()).rejects.toThrow(/read: argument 'tensor': expected a live tensor/);
  });

  test('data other than Float32Array is converted to f32', async () => {
    expect([...(await e.tensor([0.1, 2, -3], [3]).read())]).toEqual([Math.fround(0.1), 2, -3]);
    expect([...(await e.tensor(new Float64Array([1.5, 2]), [2]).read())]).toEqual([1.5, 2]);
    expect([...(await e.tensor(new Int32Array([7, -8]), [2]).read())]).toEqual([7, -8]);
  });

  test('use after destroy throws ENGINE_DESTROYED', async () => {
    const gone = await createEngine({ backend: 'cpu' });
    const t = gone.tensor([1], [1]);
    gone.destroy();
    gone.destroy();
    expectError(() => gone.tensor([1], [1]), 'ENGINE_DESTROYED', /sepconv.tensor: the engine was destroyed/);
    await expect(t.read()).rejects.toThrow(/engine was destroyed/);
  });

  test('createEngine rejects an unknown backend', async () => {
    await expect(createEngine({ backend: 'webgl' as never })).rejects.toThrow(
      /createEngine: argument 'options.backend': expected 'webgpu', 'wasm', 'cpu' or 'auto', got 'webgl'/,
    );
  });

  test('createEngine rejects unknown kernel variants and strip heights', async () => {
    await expect(createEngine({ backend: 'cpu', kernels: { depthwise: '7x7' as never } })).rejects.toThrow(
      /createEngine: argument 'options.kernels.depthwise': expected 'auto', '3x3', '5x5', 'vec4', 'scalar', got '7x7'/,
    );
    await expect(createEngine({ backend: 'cpu', kernels: { depthwiseStripRows: 0 } })).rejects.toThrow(
      /createEngine: argument 'options.kernels.depthwiseStripRows': expected an integer from 1 to 64, got 0/,
    );
    await expect(createEngine({ backend: 'cpu', kernels: { depthwiseStripRows: 2.5 } })).rejects.toThrow(/options.kernels.depthwiseStripRows/);
    await expect(createEngine({ backend: 'cpu', kernels: { pointwize: 'tiled' } as never })).rejects.toThrow(
      /createEngine: argument 'options.kernels.pointwize': expected one of the keys depthwise, pointwise, conv2d, separable, (\w+, )*depthwiseStripRows/,
    );
  });
});
