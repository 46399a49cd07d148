// The demo page: starts the engines (WebGPU when there is an adapter, WebAssembly
// SIMD when the browser has it, the CPU reference always), shows the adapter, loads
// the image sources and wires the seven sections together.

import { createEngine, type Engine } from 'sepconv';
import { errorText } from '../bench/lib/stats.js';
import photoUrl from './assets/chelsea.jpg';
import { activeEngine, backendLabel, bestBackend, engineOf, type App, type BackendName } from './lib/app.js';
import { BenchPanel } from './lib/bench-panel.js';
import { initCalculator } from './lib/calculator.js';
import { CompareSection } from './lib/compare.js';
import { loadImage, loadImageFile, fitSize, startWebcam, webcamReady, type RgbImage, type Webcam } from './lib/image.js';
import { FacesPanel } from './lib/faces.js';
import { LiveSection } from './lib/live.js';
import { NetworkPanel } from './lib/network.js';
import { el, setText } from './lib/dom.js';
import { YourModelPanel } from './lib/your-model.js';

const DEFAULT_SOURCE = 'Chelsea the cat (CC0)';

/** Adapters that are software renderers, by the names they report. */
const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|software|warp|microsoft basic render/i;

/** The backend switch's radio input of each backend. */
const RADIO: Record<BackendName, string> = { webgpu: 'backend-gpu', wasm: 'backend-wasm', cpu: 'backend-cpu' };

async function startGpu(): Promise<{ engine: Engine | null; why: string }> {
  if (!('gpu' in navigator) || !navigator.gpu) {
    return { engine: null, why: 'this browser has no WebGPU (navigator.gpu is missing)' };
  }
  try {
    return { engine: await createEngine({ backend: 'webgpu' }), why: '' };
  } catch (e) {
    return { engine: null, why: `no WebGPU adapter could be used (${errorText(e)})` };
  }
}

async function startWasm(): Promise<{ engine: Engine | null; why: string }> {
  try {
    const engine = await createEngine({ backend: 'wasm' });
    // Without WebAssembly SIMD, createEngine runs the reference instead: the CPU choice already is that.
    if (engine.backend === 'wasm') return { engine, why: '' };
    engine.destroy();
    return { engine: null, why: 'this browser has no WebAssembly SIMD' };
  } catch (e) {
    return { engine: null, why: `WebAssembly could not start (${errorText(e)})` };
  }
}

/** Greys out the switch's choice of a backend this browser cannot run, and says why under the switch. */
function disableBackend(backend: BackendName, why: string): void {
  const input = el<HTMLInputElement>(RADIO[backend]);
  input.disabled = true;
  input.checked = false;
  (input.parentElement as HTMLElement).title = why;
  const note = el('backend-why');
  note.hidden = false;
  const line = document.createElement('span');
  line.dataset.backend = backend;
  line.textContent = `${backendLabel(backend)} is not available: ${why}.`;
  note.append(line);
}

function showEnvironment(app: App, why: string, wasmWhy: string): void {
  const env = el('env');
  const a = app.gpu?.adapter ?? null;
  if (a) {
    const parts = [a.vendor, a.architecture].filter((s) => s !== '');
    const name = parts.join(' · ') || 'unnamed adapter';
    setText('adapter', a.description && !parts.includes(a.description) ? `${name} (${a.description})` : name);
    const software = SOFTWARE.test(`${a.vendor} ${a.architecture} ${a.description}`);
    el('software-badge').dataset.show = String(software);
    if (software) {
      el('software-badge').title = 'WebGPU runs on the CPU through a software renderer: GPU timings here say nothing about real GPUs.';
    }
  } else {
    setText('adapter', app.wasm ? 'none: WebAssembly backend' : 'none: CPU backend');
    const notice = el('webgpu-notice');
    notice.hidden = false;
    notice.textContent =
      `WebGPU is not available: ${why}. Everything on this page runs on ` +
      (app.wasm ? "sepconv's WebAssembly (SIMD) backend instead (same results as the CPU reference, no GPU). " : "sepconv's CPU backend instead (same results, no GPU). ") +
      'Try Chrome or Edge 113+, Safari 26 or Firefox 141+ for the GPU path.';
    el<HTMLInputElement>('backend-gpu').disabled = true;
    setText('time-gpu', 'no WebGPU');
  }
  if (!app.wasm) disableBackend('wasm', wasmWhy);
  if (!app.gpu && !app.wasm) {
    // The CPU reference alone: nothing to check it against.
    setText('max-diff', 'n/a');
    setText('diff-verdict', 'needs WebGPU or wasm');
  }
  el<HTMLInputElement>(RADIO[app.backend]).checked = true;
  env.dataset.state = app.backend;
  showBackend(app);
}

function showBackend(app: App): void {
  const name = activeEngine(app).backend;
  setText('backend', name);
  const where = name === 'webgpu' ? 'the GPU (WebGPU)' : backendLabel(name);
  setText('live-backend', where);
  setText('compare-backend', where);
  setText('net-backend', where);
  setText('face-backend', where);
  setText('user-backend', where);
  el('backend-pill').dataset.backend = name;
}

/**
 * The image sources of the live section: the photo, a file, the webcam. A still image goes
 * to `setImage`; while the webcam streams, `newFrame` is called on every animation frame
 * (the live section takes the frame itself, with fromPixels); when it stops, its last frame
 * becomes the image (the live section's snapshot of it).
 */
function initSources(app: App, live: LiveSection, setImage: (img: RgbImage, label: string) => void, newFrame: (cam: Webcam) => void): void {
  const status = (text: string) => setText('source-status', text);
  let cam: Webcam | null = null;
  const webcamButton = el<HTMLButtonElement>('source-webcam');

  const stopWebcam = () => {
    if (!cam) return;
    cam.stop();
    cam = null;
    app.webcam = null;
    webcamButton.textContent = 'Webcam';
    webcamButton.classList.remove('active');
  };

  el('source-default').addEventListener('click', () => {
    stopWebcam();
    loadImage(photoUrl).then(
      (img) => setImage(img, DEFAULT_SOURCE),
      (e: unknown) => status(`could not load the photo: ${errorText(e)}`),
    );
  });

  const file = el<HTMLInputElement>('source-file');
  file.addEventListener('change', () => {
    const f = file.files?.[0];
    if (!f) return;
    stopWebcam();
    loadImageFile(f).then(
      (img) => setImage(img, f.name),
      (e: unknown) => status(errorText(e)),
    );
    file.value = '';
  });

  webcamButton.addEventListener('click', () => {
    if (cam) {
      // Stop: the last frame the live section computed stays, and the comparison runs on it
      // (unless another image was picked meanwhile).
      stopWebcam();
      live.webcamSnapshot().then(
        (snap) => {
          if (snap && snap.version === app.imageVersion) setImage(snap.image, 'webcam snapshot');
        },
        (e: unknown) => status(`could not keep the webcam's last frame: ${errorText(e)}`),
      );
      return;
    }
    status('asking for the webcam…');
    startWebcam().then(
      (c) => {
        cam = c;
        app.webcam = c;
        webcamButton.textContent = 'Stop webcam';
        webcamButton.classList.add('active');
        const frame = () => {
          if (cam !== c) return;
          if (webcamReady(c)) newFrame(c);
          requestAnimationFrame(frame);
        };
        frame();
      },
      (e: unknown) => status(`webcam unavailable: ${errorText(e)}`),
    );
  });
}

async function main(): Promise<void> {
  initCalculator();

  const [{ engine: gpu, why }, { engine: wasm, why: wasmWhy }, cpu, image] = await Promise.all([
    startGpu(),
    startWasm(),
    createEngine({ backend: 'cpu' }),
    loadImage(photoUrl),
  ]);
  const app: App = { gpu, wasm, cpu, backend: 'cpu', image, imageVersion: 1, webcam: null };
  // The fastest there is: without WebGPU, wasm (about 8× the reference on MobileNetV2) rather than the CPU.
  app.backend = bestBackend(app);
  showEnvironment(app, why, wasmWhy);

  const live = new LiveSection(app);
  const compare = new CompareSection(app);
  new BenchPanel(app);
  new NetworkPanel(app);
  const faces = new FacesPanel(app);
  new YourModelPanel(app);
  // A file dropped next to a drop zone must not replace the page.
  for (const type of ['dragover', 'drop'] as const) window.addEventListener(type, (e) => e.preventDefault());

  const setImage = (img: RgbImage, label: string) => {
    app.image = img;
    app.imageVersion++;
    live.request();
    setText('source-status', `${label}, ${img.width}×${img.height}`);
    compare.request();
    faces.pageImageChanged();
  };
  let liveFrames = 0;
  const newFrame = (cam: Webcam) => {
    // No new app.image (nor imageVersion): the live section grabs the frame from the video when it
    // runs, and keeps showing its last frame after the webcam stops, until another image is set.
    live.request();
    if (liveFrames++ % 30 === 0) {
      const { width, height } = fitSize(cam.video.videoWidth, cam.video.videoHeight);
      setText('source-status', `webcam (live), ${width}×${height}: stop to compare`);
    }
  };
  initSources(app, live, setImage, newFrame);
  setText('source-status', `${DEFAULT_SOURCE}, ${image.width}×${image.height}`);

  for (const id of Object.values(RADIO)) {
    el<HTMLInputElement>(id).addEventListener('change', (e) => {
      const input = e.target as HTMLInputElement;
      if (!input.checked) return;
      const choice = input.value as BackendName;
      app.backend = engineOf(app, choice) ? choice : 'cpu';
      showBackend(app);
      live.request();
      if (!app.webcam) compare.request();
      faces.backendChanged();
    });
  }

  if (gpu) {
    void gpu.device?.lost.then((info) => {
      if (info.reason === 'destroyed') return;
      const notice = el('webgpu-notice');
      notice.hidden = false;
      notice.textContent = `The GPU device was lost (${info.message || info.reason}). Reload the page to use WebGPU again.`;
      app.gpu = null;
      // On to the fastest backend left (wasm, else the CPU) if the GPU was the one in use.
      if (app.backend === 'webgpu') app.backend = bestBackend(app);
      el<HTMLInputElement>(RADIO[app.backend]).checked = true;
      el<HTMLInputElement>('backend-gpu').disabled = true;
      showBackend(app);
      live.request();
      faces.backendChanged();
    });
  }

  compare.request();
  // For DevTools (and the e2e test): the engines and the current image.
  (window as unknown as { sepconvDemo: App }).sepconvDemo = app;
  document.body.dataset.ready = 'true';
}

main().catch((e: unknown) => {
  console.error(e);
  const notice = el('webgpu-notice');
  notice.hidden = false;
  notice.classList.add('error');
  notice.textContent = `The demo failed to start: ${errorText(e)}`;
});
