// Elementwise y = act(x ∘ b) with broadcasting, 4 elements of the last dimension
// per invocation (it is a multiple of 4): an operand with that last dimension is
// read as one vec4, one broadcast along it (last dimension 1, e.g. NCHW
// squeeze-excite scales [N, C, 1, 1]) as one value splatted (loadA / loadB).
// Contract, bindings and uniforms: src/kernels/binary/vec4.ts.

fn run(i: u32) {
  if (i >= params.total) {
    return;
  }
  let at = operandIndices(i);
  y[i] = activate4(combine4(loadA(at.x), loadB(at.y)), params.alpha, params.beta);
}
