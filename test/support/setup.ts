// Test setup (also imported by bench scripts): point Dawn at SwiftShader when the
// machine has Debian's chromium ICD and the user has not chosen a Vulkan driver.
// The library itself never touches the environment.
import { existsSync } from 'node:fs';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (!process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES && existsSync(SWIFTSHADER_ICD)) {
  process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
}
