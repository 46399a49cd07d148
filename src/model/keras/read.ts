// Reading a model.json and the weight shards beside it into the artifacts
// layersToGraph takes. In browsers everything is fetched (relative URLs
// resolve against the page); in Node a path or file: URL is read from disk
// and http(s) URLs are fetched. Node's fs is imported only when a file is
// read, by a specifier bundlers leave alone (as src/gpu/device.ts does with
// the `webgpu` package), so this module loads in a browser bundle.
//
// model.json (tfjs-core io/types.ts ModelJSON): { modelTopology, weightsManifest:
// [{ paths, weights }], format?, generatedBy?, convertedBy? }. Each group's
// weights lie back to back in its shards, concatenated in `paths` order; the
// shards of all groups, in manifest order, make the weight data.

import { badModel } from './errors.js';
import type { LayersModelArtifacts } from './to-graph.js';
import { isRecord } from './topology.js';
import { checkWeightSpecs, weightBytes, type WeightSpec } from './weights.js';
import { importAtRunTime, isNode } from '../../platform.js';

/** What readLayersModel returns: the artifacts, and model.json's descriptive fields. */
export interface LayersModelFile extends LayersModelArtifacts {
  modelTopology: unknown;
  weightSpecs: WeightSpec[];
  weightData: ArrayBuffer[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
}

type Reader = (url: URL) => Promise<ArrayBuffer>;

/** A scheme of 2+ letters (so a Windows drive 'C:' stays a path). */
const HAS_SCHEME = /^[a-z][a-z0-9+.-]+:/i;

async function nodeFiles(): Promise<{ read: Reader; toUrl: (path: string) => URL }> {
  const fs = await importAtRunTime<{ readFile: (p: URL) => Promise<Uint8Array> }>('node:fs/promises');
  const url = await importAtRunTime<{ pathToFileURL: (p: string) => URL }>('node:url');
  return {
    read: async (u) => {
      const bytes = await fs.readFile(u);
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
    toUrl: (p) => url.pathToFileURL(p),
  };
}

async function fetchBytes(url: URL): Promise<ArrayBuffer> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
  return res.arrayBuffer();
}

/** Where model.json is, and how to read it and the files beside it. */
async function locate(source: string | URL): Promise<{ url: URL; read: Reader }> {
  const text = source instanceof URL ? source.href : source;
  const browserBase = typeof location !== 'undefined' ? location.href : undefined;
  if (isNode()) {
    const files = await nodeFiles();
    if (!HAS_SCHEME.test(text)) return { url: files.toUrl(text), read: files.read };
    const url = new URL(text);
    return { url, read: url.protocol === 'file:' ? files.read : fetchBytes };
  }
  return { url: new URL(text, browserBase), read: fetchBytes };
}

async function readFile(read: Reader, url: URL, what: string): Promise<ArrayBuffer> {
  try {
    return await read(url);
  } catch (cause) {
    throw badModel(`${what} '${decodeURIComponent(url.pathname.split('/').pop() ?? url.href)}'`, `it cannot be read from ${url.href} (${String(cause)})`, 'a readable file');
  }
}

/**
 * Reads a layers model.json and its weight shards (resolved relative to it)
 * into {@link LayersModelArtifacts}.
 *
 * BAD_MODEL when model.json is not JSON, is a graph model, has no
 * weightsManifest, or a shard is missing or shorter than its manifest says.
 *
 * @example
 * const artifacts = await readLayersModel('https://example.com/model/model.json');   // or a path in Node
 * const { graph } = layersToGraph(artifacts);
 */
export async function readLayersModel(source: string | URL): Promise<LayersModelFile> {
  const { url, read } = await locate(source);
  const bytes = await readFile(read, url, 'model.json');
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw badModel(`model.json ${url.href}`, `it is not valid JSON (${String(cause)})`, 'JSON');
  }
  if (!isRecord(json) || !('modelTopology' in json)) {
    throw badModel(`model.json ${url.href}`, 'it has no modelTopology: not a TF.js model.json', '{ modelTopology, weightsManifest }');
  }
  if (json.format === 'graph-model') {
    throw badModel(`model.json ${url.href}`, "its format is 'graph-model' (for tf.loadGraphModel), not a layers model", "format 'layers-model'");
  }
  const manifest = json.weightsManifest ?? [];
  if (!Array.isArray(manifest)) throw badModel(`model.json ${url.href}: weightsManifest`, 'it is not a list of { paths, weights } groups', 'a list');
  const weightSpecs: WeightSpec[] = [];
  const weightData: ArrayBuffer[] = [];
  for (const [g, group] of manifest.entries()) {
    const at = `model.json: weightsManifest[${g}]`;
    if (!isRecord(group) || !Array.isArray(group.paths) || !group.paths.every((p) => typeof p === 'string')) {
      throw badModel(at, 'a group without a list of shard paths', '{ paths: string[], weights }');
    }
    const specs = checkWeightSpecs(group.weights, `${at}.weights`);
    const paths = group.paths as string[];
    const shards = await Promise.all(paths.map((p) => readFile(read, new URL(p, url), 'weight shard')));
    const need = specs.reduce((n, s) => n + weightBytes(s), 0);
    const have = shards.reduce((n, s) => n + s.byteLength, 0);
    if (have !== need) {
      throw badModel(
        `weight shard${paths.length === 1 ? '' : 's'} ${paths.map((p) => `'${p}'`).join(', ')}`,
        `${have < need ? 'shorter' : 'longer'} than the manifest says: its ${specs.length} weights need ${need} bytes, the shard${paths.length === 1 ? ' has' : 's have'} ${have}`,
        `${need} bytes`,
        `${have} bytes`,
      );
    }
    weightSpecs.push(...specs);
    weightData.push(...shards);
  }
  const out: LayersModelFile = { modelTopology: json.modelTopology, weightSpecs, weightData };
  if (typeof json.format === 'string') out.format = json.format;
  if (typeof json.generatedBy === 'string') out.generatedBy = json.generatedBy;
  if (typeof json.convertedBy === 'string' || json.convertedBy === null) out.convertedBy = json.convertedBy;
  return out;
}
