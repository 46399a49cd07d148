// Where an elementwise binary kernel reads its operands: the output is a rank-4
// grid of params.total items (elements, or vec4s of the last dimension), and each
// operand has one stride per dimension in the units of its own binding, 0 along a
// dimension it is broadcast over (NumPy rules). Contract: src/kernels/binary/broadcast.ts.

// The indices into x (the first operand) and b (the second) of output item `i`.
fn operandIndices(i: u32) -> vec2u {
  let i3 = i % params.outDim3;
  let r = i / params.outDim3;
  let i2 = r % params.outDim2;
  let r2 = r / params.outDim2;
  let i1 = r2 % params.outDim1;
  let i0 = r2 / params.outDim1;
  let at = vec4u(i0, i1, i2, i3);
  return vec2u(
    dot(at, vec4u(params.aStride0, params.aStride1, params.aStride2, params.aStride3)),
    dot(at, vec4u(params.bStride0, params.bStride1, params.bStride2, params.bStride3)),
  );
}
