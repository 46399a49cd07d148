// What the user dropped or picked, as a model source for the loaders: one .onnx file
// (its bytes, for loadOnnx), or a TF.js layers model.json with its .bin weight shards
// (tf.io.ModelArtifacts-shaped { modelTopology, weightSpecs, weightData }, for
// loadLayersModel). Shards are found by name among the files, as model.json's
// weightsManifest lists them, and handed over in the manifest's order: the groups in
// order, each group's paths in order (tfjs-core's loader concatenates them so). The
// loader checks the rest (specs, sizes, topology) and says what is wrong.

import type { LayersModelArtifacts } from 'sepconv';

/** A file's name and bytes. */
export interface PickedFile {
  name: string;
  data: ArrayBuffer;
}

export type ModelFiles =
  | { format: 'onnx'; name: string; bytes: Uint8Array }
  | { format: 'layers'; name: string; artifacts: LayersModelArtifacts; shards: string[] };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const quoted = (names: readonly string[]) => names.map((n) => `'${n}'`).join(', ');

/** The model in `files`; throws an Error saying what to drop when they are not one .onnx file or one model.json with its shards. */
export function modelFromFiles(files: readonly PickedFile[]): ModelFiles {
  const onnx = files.filter((f) => /\.onnx$/i.test(f.name));
  const json = files.filter((f) => /\.json$/i.test(f.name));
  if (onnx.length === 1 && json.length === 0) {
    const f = onnx[0] as PickedFile;
    return { format: 'onnx', name: f.name, bytes: new Uint8Array(f.data) };
  }
  if (json.length === 1 && onnx.length === 0) return layersModel(json[0] as PickedFile, files);
  throw new Error(
    `Drop one .onnx file, or one model.json together with its .bin weight shards; got ${files.length === 0 ? 'no file' : quoted(files.map((f) => f.name))}.`,
  );
}

function layersModel(json: PickedFile, files: readonly PickedFile[]): ModelFiles {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(json.data));
  } catch (e) {
    throw new Error(`${json.name} is not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!isRecord(parsed) || !('modelTopology' in parsed)) {
    throw new Error(`${json.name} has no modelTopology: it is not the model.json of a TF.js layers model.`);
  }
  const manifest = parsed.weightsManifest ?? [];
  if (!Array.isArray(manifest)) throw new Error(`${json.name}: its weightsManifest is not a list of { paths, weights } groups.`);
  // Paths are relative to model.json; dropped files have bare names.
  const byName = new Map(files.map((f) => [f.name, f]));
  const weightSpecs: unknown[] = [];
  const weightData: ArrayBuffer[] = [];
  const shards: string[] = [];
  const missing: string[] = [];
  for (const group of manifest) {
    const paths: unknown = isRecord(group) ? group.paths : undefined;
    if (!Array.isArray(paths) || !Array.isArray((group as Record<string, unknown>).weights)) {
      throw new Error(`${json.name}: a weightsManifest group is not { paths: string[], weights: [...] }.`);
    }
    weightSpecs.push(...((group as Record<string, unknown>).weights as unknown[]));
    for (const path of paths) {
      const name = String(path).split('/').pop() as string;
      const shard = byName.get(name);
      if (shard) {
        weightData.push(shard.data);
        shards.push(name);
      } else missing.push(name);
    }
  }
  if (missing.length > 0) {
    throw new Error(
      `${json.name} needs the weight shard${missing.length === 1 ? '' : 's'} ${quoted(missing)}: drop ${missing.length === 1 ? 'it' : 'them'} together with ${json.name}.`,
    );
  }
  return {
    format: 'layers',
    name: json.name,
    artifacts: { modelTopology: parsed.modelTopology, weightSpecs: weightSpecs as LayersModelArtifacts['weightSpecs'], weightData },
    shards,
  };
}
