// The operation of an elementwise binary kernel, baked in as the override OP: one
// of the OP_* ids, constants generated from BINARY_KINDS and prepended to this file
// (src/kernels/binary/broadcast.ts). Plain IEEE arithmetic: NaN and ±Inf propagate
// as the hardware computes them (x / 0 is ±Inf, 0 / 0 and Inf − Inf are NaN).
override OP: u32 = 0u;

fn combine4(a: vec4f, b: vec4f) -> vec4f {
  switch OP {
    case OP_SUB: {
      return a - b;
    }
    case OP_MUL: {
      return a * b;
    }
    case OP_DIV: {
      return a / b;
    }
    default: { // OP_ADD
      return a + b;
    }
  }
}

// The scalar kernel's operation: the vec4 one on broadcast values (one switch to keep).
fn combine(a: f32, b: f32) -> f32 {
  return combine4(vec4f(a), vec4f(b)).x;
}
