// y = act(x) elementwise, for an activation no op before it could fuse: one
// element per invocation. Contract, bindings and uniforms: src/kernels/utility/unary.ts.

fn run(i: u32) {
  if (i >= params.size) {
    return;
  }
  y[i] = activate(x[i], params.alpha, params.beta);
}
