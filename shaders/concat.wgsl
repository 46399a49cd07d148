// One input of a concatenation: copies it into its place in the output. With
// `outer` the product of the dimensions before the axis and `inner` of those
// after it, the input is `outer` slabs of `slab` = (its size on the axis)·inner
// contiguous values, and slab o goes to output elements o·outSlab + offset + …
// (offset: the inputs before it on the axis, times inner). One dispatch per input.
// Contract, bindings and uniforms: src/kernels/utility/concat.ts.

fn run(idx: u32) {
  if (idx >= params.total) {
    return;
  }
  y[(idx / params.slab) * params.outSlab + params.offset + idx % params.slab] = x[idx];
}
