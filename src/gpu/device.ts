// Getting a GPUDevice: injected by the user, from the browser's navigator.gpu, or
// in Node from the optional `webgpu` package (Dawn). Nothing else in sepconv
// knows where the device came from.

import { SepconvError } from '../errors.js';
import { importAtRunTime, isNode } from '../platform.js';
import { adapterTraits } from '../kernels/descriptor.js';

/** What sepconv reports about the adapter it runs on. */
export interface AdapterDescription {
  vendor: string;
  architecture: string;
  description: string;
}

export interface AcquiredDevice {
  device: GPUDevice;
  adapter: AdapterDescription;
  /** True when sepconv created the device and so must destroy it. */
  owned: boolean;
}

export interface DeviceRequest {
  device?: GPUDevice;
  powerPreference?: GPUPowerPreference;
  /**
   * Refuse a software adapter (SwiftShader, llvmpipe, WARP, or one the browser calls a
   * fallback adapter) with BACKEND_UNAVAILABLE, as `'auto'` does: the wasm backend is
   * faster than WebGPU emulated on the CPU.
   */
  hardwareOnly?: boolean;
}

// Limits worth more than the defaults to a convolution engine; each is raised to
// what the adapter offers.
const WANTED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
] as const;

let nodeGpu: Promise<GPU | null> | undefined;

/** The WebGPU entry point here, or null when this environment has none. */
function findGpu(): Promise<GPU | null> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return Promise.resolve(nav.gpu);
  if (!isNode()) return Promise.resolve(null);
  nodeGpu ??= loadNodeGpu();
  return nodeGpu;
}

async function loadNodeGpu(): Promise<GPU | null> {
  // A computed specifier keeps bundlers from pulling the Node-only package into
  // browser builds; in Node it resolves from the user's node_modules.
  let mod: { create: (flags: string[]) => GPU };
  try {
    mod = await importAtRunTime<typeof mod>('webgpu');
  } catch (cause) {
    throw new SepconvError(
      'BACKEND_UNAVAILABLE',
      { op: 'createEngine', arg: 'options.backend', cause },
      "sepconv.createEngine: backend 'webgpu' in Node needs the optional 'webgpu' package (Dawn), " +
        `which could not be loaded: install it with 'npm install webgpu' (${String(cause)})`,
    );
  }
  return mod.create([]);
}

function adapterName(a: AdapterDescription): string {
  return [a.vendor, a.architecture, a.description].filter(Boolean).join(' ') || 'unnamed';
}

function describeAdapter(info: GPUAdapterInfo | undefined): AdapterDescription {
  return {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    description: info?.description ?? '',
  };
}


/** Returns the injected device, or creates one with the adapter's higher limits. */
export async function acquireDevice(req: DeviceRequest): Promise<AcquiredDevice> {
  if (req.device) {
    return { device: req.device, adapter: describeAdapter(req.device.adapterInfo), owned: false };
  }
  const gpu = await findGpu();
  const adapter = gpu && (await gpu.requestAdapter(req.powerPreference ? { powerPreference: req.powerPreference } : undefined));
  if (!adapter) {
    throw new SepconvError(
      'BACKEND_UNAVAILABLE',
      { op: 'createEngine', arg: 'options.backend', expected: 'a WebGPU adapter', given: 'none' },
      "sepconv.createEngine: backend 'webgpu' was requested but no WebGPU adapter is available " +
        "(use backend 'auto' to fall back to wasm or the CPU)",
    );
  }
  const description = describeAdapter(adapter.info);
  const fallback = (adapter.info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter === true;
  if (req.hardwareOnly && (fallback || adapterTraits(description).cpuBased)) {
    throw new SepconvError(
      'BACKEND_UNAVAILABLE',
      { op: 'createEngine', arg: 'options.backend', expected: 'a hardware WebGPU adapter', given: `a software adapter (${adapterName(description)})` },
      `sepconv.createEngine: the only WebGPU adapter is a software one (${adapterName(description)})`,
    );
  }
  const requiredLimits: Record<string, number> = {};
  for (const name of WANTED_LIMITS) {
    const v = adapter.limits[name];
    if (typeof v === 'number') requiredLimits[name] = v;
  }
  // Timestamp queries, where offered, let model.profile() time each layer on the GPU.
  const requiredFeatures: GPUFeatureName[] = adapter.features.has('timestamp-query') ? ['timestamp-query'] : [];
  const device = await adapter.requestDevice({ label: 'sepconv', requiredLimits, requiredFeatures });
  return { device, adapter: description, owned: true };
}
