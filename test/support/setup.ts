// Test setup (also imported by bench scripts): point Dawn at SwiftShader when the
// machine has Debian's chromium ICD and the user has not chosen a Vulkan driver
// (VK_ICD_FILENAMES / VK_DRIVER_FILES) or asked for the real GPU (SEPCONV_REAL_GPU=1).
// The library itself never touches the environment.
import { existsSync } from 'node:fs';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const chosen = process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES || process.env.SEPCONV_REAL_GPU === '1';
if (!chosen && existsSync(SWIFTSHADER_ICD)) {
  process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
}

// SEPCONV_DAWN_FLAGS="flag flag …" runs the suite on a Dawn instance made with
// those flags (e.g. toggles that turn off robustness clamping, so a shader that
// relied on it to stay in bounds would misbehave). sepconv uses navigator.gpu
// when it exists, exactly as a user who configures Dawn this way would.
const flags = process.env.SEPCONV_DAWN_FLAGS?.split(/\s+/).filter(Boolean);
if (flags?.length && !(globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu) {
  const { create } = await import('webgpu');
  const gpu = create(flags);
  Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
}
