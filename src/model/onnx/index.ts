// ONNX → graph IR, pure: bytes in, a Graph (src/model/ir.ts) and the model's
// declared inputs and outputs out; no engine, no GPU, nothing uploaded. The
// runtime (passes, layout assignment, executor, loadOnnx) takes it from there.
//
//   const { graph, inputs, outputs } = onnxToGraph(bytes);
//   inputs;   // [{ name: 'input:0', shape: [1, 128, 128, 3], layout: 'NHWC' }]
//   outputs;  // [{ name: 'Identity:0', shape: [1, 512, 1] }, …] in the file's order
//
// The file is decoded with ONNX's own schema (onnx.proto, compiled by
// protoc-gen-es: package onnx-buf) and translated node by node through the op
// table (./ops.ts), which is also the supported list of UNSUPPORTED_OP errors.
// A loader only translates: every ONNX node becomes the IR nodes that compute
// the same thing (Conv with its OIHW weights as an HWIO conv, BatchNormalization
// as a scale-shift, Relu as an activation node...); folding and fusion are the
// passes' job. What is evaluated here is what the IR has no op for: Constant,
// ConstantOfShape, Shape, Gather and the shape arithmetic around them become
// constants, and padding attributes become explicit pads.
//
// Shapes are as the file declares them; a dynamic batch (dim_param, 0 or -1)
// is -1, the only dimension that may be dynamic. A rank-4 input is NHWC when its
// first reader is a Transpose with perm [0, 3, 1, 2] (how tf2onnx exports a
// Keras model), else NCHW. Opsets 7–21 of the default domain are read.
//
// Errors (SepconvError): UNSUPPORTED_OP for an op type, domain, opset or form
// of an op sepconv does not run, naming the node and listing the supported op
// types; BAD_MODEL for a truncated or malformed file, an initializer whose data
// does not match its dims or is stored outside the file, integer data where
// weights are expected, and shapes that cannot be resolved, naming the node or
// value.

import type { Graph, ImageLayout } from '../ir.js';
import { NodeContext, Translation } from './context.js';
import { dataTypeName, declaredShape, decodeModel, decodeTensor } from './decode.js';
import { badModel, unsupported } from './errors.js';
import { ONNX_OPS, SUPPORTED_ONNX_OPS } from './ops.js';

export { ONNX_OPS, SUPPORTED_ONNX_OPS } from './ops.js';

/** The opsets of the default (ai.onnx) domain this translation follows. */
export const ONNX_OPSETS = { min: 7, max: 21 } as const;

/** A model input as the file declares it. */
export interface OnnxInput {
  name: string;
  /** Dimensions; -1 for a dynamic batch. */
  shape: number[];
  /** How a rank-4 input is laid out (null for other ranks). */
  layout: ImageLayout | null;
}

/** A model output: its name and the shape the graph computes for it (-1: the batch). */
export interface OnnxOutput {
  name: string;
  shape: number[];
}

/** What {@link onnxToGraph} returns. */
export interface OnnxGraph {
  graph: Graph;
  /** The graph's inputs in the file's order (initializers excluded), matching graph.inputs. */
  inputs: OnnxInput[];
  /** The graph's outputs in the file's order, matching graph.outputs. */
  outputs: OnnxOutput[];
  /** The model's opset for the default domain. */
  opset: number;
}

const FLOAT = 1;

/**
 * Translates the bytes of an .onnx file into the graph IR. Pure and
 * synchronous; throws a SepconvError (UNSUPPORTED_OP or BAD_MODEL) saying what
 * and where when the model cannot be translated.
 */
export function onnxToGraph(bytes: Uint8Array): OnnxGraph {
  const model = decodeModel(bytes);
  const g = model.graph;
  if (g === undefined || (g.node.length === 0 && g.output.length === 0)) throw badModel('file', 'holds no graph (empty, or not an ONNX model)');

  const imports = model.opsetImport.filter((o) => o.domain === '' || o.domain === 'ai.onnx');
  if (imports.length === 0) throw badModel('file', 'imports no opset of the default ONNX domain');
  const opset = Number(imports[0]?.version);
  if (opset < ONNX_OPSETS.min || opset > ONNX_OPSETS.max) {
    throw unsupported('file', `opset ${opset} (sepconv reads opsets ${ONNX_OPSETS.min}–${ONNX_OPSETS.max})`, SUPPORTED_ONNX_OPS);
  }

  const t = new Translation(opset, SUPPORTED_ONNX_OPS);
  const initializers = new Set<string>();
  for (const init of g.initializer) {
    initializers.add(init.name);
    t.define(init.name, { kind: 'const', tensor: decodeTensor(init, `initializer '${init.name}'`) });
  }
  for (const sparse of g.sparseInitializer) {
    const name = sparse.values?.name ?? '';
    initializers.add(name);
    t.define(name, { kind: 'unsupported', what: 'a sparse initializer (sepconv reads dense tensors)' });
  }

  const inputs: OnnxInput[] = [];
  for (const v of g.input) {
    if (initializers.has(v.name)) continue; // an initializer's entry in the inputs (IR < 4): a constant, not an input
    const where = `input '${v.name}'`;
    const declared = declaredShape(v);
    if (declared === null) throw badModel(where, 'is not declared as a tensor');
    if (declared.elemType !== FLOAT) throw badModel(where, `has element type ${dataTypeName(declared.elemType)}; sepconv runs float32 models`);
    if (declared.dims === null) throw badModel(where, 'declares no shape');
    const shape = declared.dims;
    const dynamic = shape.findIndex((d, i) => d === -1 && i > 0);
    if (dynamic > 0) throw badModel(where, `dimension ${dynamic} of [${shape.join(', ')}] is dynamic; sepconv resolves a dynamic batch (dimension 0) only`);
    const layout = shape.length === 4 ? inputLayout(g.node, v.name) : null;
    t.define(v.name, { kind: 'value', id: t.builder.input(v.name, shape, layout) });
    inputs.push({ name: v.name, shape: [...shape], layout });
  }

  for (const node of g.node) {
    const ctx = new NodeContext(t, node);
    if (node.domain !== '' && node.domain !== 'ai.onnx') {
      throw unsupported(ctx.where, `op '${node.opType}' of domain '${node.domain}' (sepconv runs the default ONNX domain)`, SUPPORTED_ONNX_OPS);
    }
    const translate = Object.hasOwn(ONNX_OPS, node.opType) ? ONNX_OPS[node.opType] : undefined;
    if (translate === undefined) throw unsupported(ctx.where, `op type '${node.opType}' is not supported`, SUPPORTED_ONNX_OPS);
    translate(ctx);
  }

  const outputs: OnnxOutput[] = [];
  for (const v of g.output) {
    const where = `output '${v.name}'`;
    const id = t.valueOf(v.name, where);
    const shape = t.builder.shape(id);
    const declared = declaredShape(v)?.dims ?? null;
    if (declared !== null && (declared.length !== shape.length || declared.some((d, i) => d !== -1 && shape[i] !== -1 && d !== shape[i]))) {
      throw badModel(where, `is declared [${declared.join(', ')}] but the graph computes [${shape.join(', ')}]`);
    }
    t.builder.output(id);
    outputs.push({ name: v.name, shape: [...shape] });
  }
  return { graph: t.builder.graph, inputs, outputs, opset };
}

/** NHWC when the input's first reader is a Transpose to NCHW (perm [0, 3, 1, 2]), else NCHW. */
function inputLayout(nodes: readonly { opType: string; input: string[]; attribute: { name: string; ints: bigint[] }[] }[], name: string): ImageLayout {
  const first = nodes.find((n) => n.input.includes(name));
  const perm = first?.opType === 'Transpose' ? first.attribute.find((a) => a.name === 'perm')?.ints.map(Number) : undefined;
  return perm !== undefined && perm.join() === '0,3,1,2' ? 'NHWC' : 'NCHW';
}
