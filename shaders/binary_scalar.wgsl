// Elementwise y = act(x ∘ b) with broadcasting, any shape: one output element per
// invocation. Contract, bindings and uniforms: src/kernels/binary/scalar.ts.

fn run(i: u32) {
  if (i >= params.total) {
    return;
  }
  let at = operandIndices(i);
  y[i] = activate(combine(x[at.x], b[at.y]), params.alpha, params.beta);
}
