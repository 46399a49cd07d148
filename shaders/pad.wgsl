// Constant padding of a tensor of rank ≤ 4 (shapes padded with leading 1s): one
// invocation per output element; an output coordinate o reads input coordinate
// o − before on every axis, or writes params.value when one falls outside.
// Contract, bindings and uniforms: src/kernels/utility/pad.ts.

fn inside(o: u32, before: u32, size: u32) -> bool {
  return o >= before && o - before < size;
}

fn run(idx: u32) {
  if (idx >= params.total) {
    return;
  }
  let o3 = idx % params.out3;
  var t = idx / params.out3;
  let o2 = t % params.out2;
  t = t / params.out2;
  let o1 = t % params.out1;
  let o0 = t / params.out1;
  if (inside(o0, params.before0, params.in0) && inside(o1, params.before1, params.in1) &&
      inside(o2, params.before2, params.in2) && inside(o3, params.before3, params.in3)) {
    let i = (((o0 - params.before0) * params.in1 + o1 - params.before1) * params.in2 + o2 - params.before2) * params.in3 + o3 - params.before3;
    y[idx] = x[i];
  } else {
    y[idx] = params.value;
  }
}
