// What the utility kernels share (transpose, global average pool, softmax, pad,
// pixels): one input x (f32 unless said) and the output y, an array of f32; no variants to choose among, nothing
// to tune, no bands (they bind their input whole).

import { UniformSchema, type UniformType } from '../../gpu/uniforms.js';
import { FLAT_WORKGROUP_SIZE, kernelVariant, type KernelDispatch, type KernelVariant } from '../descriptor.js';
import { flatGrid } from '../fragments.js';
import { assembleKernel, fragment, ioBindings, type Binding } from '../wgsl.js';

export function singleInputKernel<P, F extends string, const N extends string>(spec: {
  /** The pipeline's name. */
  kernel: string;
  name: N;
  summary: string;
  uniforms: UniformSchema<F>;
  file: string;
  wgsl: string;
  /** The element type of x (default f32). */
  xType?: Binding['type'];
  /** True: the shader defines `run(id)` on a flat grid of FLAT_WORKGROUP_SIZE invocations; false: its own entry point. */
  flat: boolean;
  /** The dispatch of a call: its uniform values and workgroups. */
  dispatch(p: P): { uniforms: Readonly<Record<F, number>>; workgroups: number };
}): KernelVariant<P, N> {
  const shader = assembleKernel({
    name: spec.kernel,
    uniforms: spec.uniforms,
    bindings: ioBindings({ x: spec.xType ?? 'f32', output: 'f32' }),
    fragments: [
      ...(spec.flat ? [flatGrid] : []),
      fragment(spec.file, spec.wgsl, { provides: [spec.flat ? 'run' : 'main'], needs: ['x', 'y'] }),
    ],
  });
  return kernelVariant<P, N>({
    name: spec.name,
    summary: spec.summary,
    tunables: {},
    supports: () => true,
    shaders: [shader],
    shader: () => shader,
    constants: (): Record<string, number> => (spec.flat ? { WG: FLAT_WORKGROUP_SIZE } : {}),
    dispatches({ params }): KernelDispatch[] {
      const d = spec.dispatch(params);
      return [{ uniforms: spec.uniforms.pack(d.uniforms), workgroups: d.workgroups, ranges: {} }];
    },
  });
}

/** A uniform schema of u32 fields. */
export function u32Fields<F extends string>(name: string, fields: readonly F[]): UniformSchema<F> {
  return new UniformSchema(name, fields.map((f) => [f, 'u32' as UniformType] as const));
}
