// The activations sepconv can fuse into an op's write. The numeric ids are part of
// the GPU pipeline key (shaders/activation.wgsl switches on them); the CPU backend
// implements each one from its definition in src/cpu/activation.ts.

/** Activation applied to every output element, after bias. */
export type Activation = 'linear' | 'relu' | 'relu6';

/** All activations, in id order. */
export const ACTIVATIONS: readonly Activation[] = ['linear', 'relu', 'relu6'];

/** The id of an activation as the shaders know it. */
export function activationId(a: Activation): number {
  return ACTIVATIONS.indexOf(a);
}
