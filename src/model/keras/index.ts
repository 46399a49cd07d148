// Keras / TF.js layers models → the graph IR (translation only; the model
// runtime runs the graph). Entry points:
// - layersToGraph(artifacts, options?): { graph, inputs, outputs }   pure, synchronous
// - readLayersModel(url | path): Promise<artifacts>                  model.json + its weight shards
// Files: topology.ts (both model.json shapes → one layer list), weights.ts
// (manifest + bytes → float32 by name, dequantizing), layers.ts (one
// translator per Keras layer class), activations.ts, config.ts (typed config
// reads), to-graph.ts (the walk), read.ts (files), errors.ts.

export { layersToGraph, SUPPORTED_LAYERS } from './to-graph.js';
export type { LayersGraph, LayersModelArtifacts, LayersToGraphOptions, ModelInput, ModelOutput } from './to-graph.js';
export { readLayersModel } from './read.js';
export type { LayersModelFile } from './read.js';
export { KERAS_ACTIVATIONS } from './activations.js';
export type { WeightData, WeightSpec } from './weights.js';
