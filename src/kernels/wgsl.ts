// Assembling a kernel's WGSL. A kernel is a list of fragments (shaders/*.wgsl,
// each with a stated contract: the names it provides and the names it needs)
// plus a uniform schema and a binding list. From those this module generates the
// uniform struct, every `@group(0) @binding(i)` declaration (binding 0 the
// uniforms, then the inputs and the output in the order the kernel lists them),
// and checks the contracts: every need is provided by another fragment or is a
// binding, every provided name is declared in its fragment's text, no name is
// provided twice, and every `params.<field>` a fragment reads is a field of the
// schema. A kernel that breaks its contract fails when its module loads, not on
// a GPU.

import { defineKernel, type BindingKind, type KernelSource } from '../gpu/pipelines.js';
import type { UniformSchema } from '../gpu/uniforms.js';

/** A piece of WGSL and its contract. */
export interface Fragment {
  /** The file it comes from (for messages). */
  readonly file: string;
  readonly text: string;
  /** Module-scope names it declares for others: functions, overrides, constants, structs, variables. */
  readonly provides: readonly string[];
  /** Names it uses from elsewhere: other fragments' provides, or binding names. */
  readonly needs: readonly string[];
}

/** Declares a fragment, checking that it declares what it says it provides. */
export function fragment(file: string, text: string, contract: { provides: readonly string[]; needs?: readonly string[] }): Fragment {
  for (const name of contract.provides) {
    // A module-scope declaration starts a line, after any attributes (@compute @workgroup_size(…)).
    const declared = new RegExp(`(^|\\n)\\s*(@[\\w]+(\\([^)]*\\))?\\s+)*(fn|override|const|struct|var(<[^>]*>)?)\\s+${name}\\b`).test(text);
    if (!declared) throw new Error(`sepconv: shader fragment ${file} says it provides '${name}' but does not declare it`);
  }
  return { file, text, provides: contract.provides, needs: contract.needs ?? [] };
}

/** The op argument a binding holds (`b`: the second operand of an elementwise binary op, whose first is `x`). */
export type InputName = 'x' | 'b' | 'filter' | 'bias' | 'residual' | 'depthwiseFilter' | 'depthwiseBias';

/** One storage binding of a kernel. */
export interface Binding {
  /** The WGSL variable. */
  readonly name: string;
  /** What it holds: an op input, or the output (the only writable binding). */
  readonly input: InputName | 'output';
  /** Element type of the bound array. */
  readonly type: 'f32' | 'vec4f' | 'u32';
  /** The argument named in errors when it does not fit one binding (default: `input`). */
  readonly arg?: string;
}

/** A kernel's shader with its bindings: binding 0 is the uniforms, binding i + 1 is `bindings[i]`. */
export interface AssembledKernel extends KernelSource {
  readonly inputs: readonly Binding[];
}

/** WGSL names of each op input: the same in every kernel. */
const BINDING_NAMES: Readonly<Record<InputName | 'output', string>> = {
  x: 'x',
  b: 'b',
  filter: 'w',
  bias: 'bias',
  depthwiseFilter: 'dwW',
  depthwiseBias: 'dwBias',
  residual: 'residual',
  output: 'y',
};

/**
 * A kernel's bindings from the element type of each input it binds, in the one
 * binding order every kernel uses (x, b, filter, bias, depthwise filter and bias,
 * residual, output); `args` renames inputs in errors (e.g. filter → pointwiseFilter).
 */
export function ioBindings(types: Partial<Record<InputName, Binding['type']>> & { output: Binding['type'] }, args: Partial<Record<InputName, string>> = {}): Binding[] {
  return (Object.keys(BINDING_NAMES) as (InputName | 'output')[])
    .filter((input) => types[input] !== undefined)
    .map((input) => ({ name: BINDING_NAMES[input], input, type: types[input] as Binding['type'], ...(input !== 'output' && args[input] && { arg: args[input] }) }));
}

/** The kernel's bindings with one binding's element type changed (e.g. an input loader that reads scalars). */
export function retype(bindings: readonly Binding[], name: string, type: Binding['type']): Binding[] {
  return bindings.map((b) => (b.name === name ? { ...b, type } : b));
}

export function assembleKernel(spec: {
  name: string;
  uniforms: UniformSchema<string>;
  bindings: readonly Binding[];
  fragments: readonly Fragment[];
}): AssembledKernel {
  const { name, uniforms, bindings, fragments } = spec;
  const where = `sepconv: kernel ${name}`;
  const provided = new Map<string, string>();
  for (const f of fragments) {
    for (const p of f.provides) {
      const other = provided.get(p);
      if (other) throw new Error(`${where}: '${p}' is provided by both ${other} and ${f.file}`);
      provided.set(p, f.file);
    }
  }
  const bound = new Set(['params', ...bindings.map((b) => b.name)]);
  for (const f of fragments) {
    for (const need of f.needs) {
      if (!provided.has(need) && !bound.has(need)) throw new Error(`${where}: ${f.file} needs '${need}', which no fragment or binding provides`);
    }
    for (const m of f.text.matchAll(/\bparams\.(\w+)/g)) {
      if (!uniforms.has(m[1] as string)) throw new Error(`${where}: ${f.file} reads params.${m[1]}, which ${uniforms.name} does not have`);
    }
  }
  // The scheduler binds [...inputs, output]: one output, last.
  if (bindings.findIndex((b) => b.input === 'output') !== bindings.length - 1 || bindings.filter((b) => b.input === 'output').length !== 1) {
    throw new Error(`${where}: expected exactly one output binding, the last`);
  }
  const declarations = [
    uniforms.wgsl,
    `@group(0) @binding(0) var<uniform> params: ${uniforms.name};`,
    ...bindings.map(
      (b, i) =>
        `@group(0) @binding(${i + 1}) var<storage, ${b.input === 'output' ? 'read_write' : 'read'}> ${b.name}: array<${b.type}>;`,
    ),
  ].join('\n');
  const layout: BindingKind[] = ['uniform', ...bindings.map((b): BindingKind => (b.input === 'output' ? 'write' : 'read'))];
  const kernel = defineKernel(name, [declarations, ...fragments.map((f) => `// ---- ${f.file}\n${f.text}`)], layout);
  return { ...kernel, inputs: bindings };
}
