import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { nativeAddonPath } from '../nativeAddonPath';
import { hookDawnEvents } from './dawnEvents';

/** What Dawn's Node addon (the npm package `webgpu`) exports. */
interface DawnAddon {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

/** The addon's folder for this platform, as the package names it. */
export const dawnPlatform = () => `${process.platform}-${process.platform === 'darwin' ? 'universal' : process.arch}`;

let loaded: DawnAddon | undefined;

/**
 * Load Dawn's addon (beside the bundle in a platform vsix, else from node_modules) and put the
 * WebGPU constants (GPUBufferUsage, …) on the global object, as a browser has them. Throws with
 * the reason when this platform or process cannot load it.
 */
export function loadDawn(): DawnAddon {
  if (loaded) return loaded;
  if (process.versions.electron) {
    // Dawn hands mapped GPU memory to JS as external ArrayBuffers, which Electron's V8 sandbox forbids.
    throw new Error(`the job runs in Electron ${process.versions.electron}, whose V8 sandbox forbids the memory Dawn maps: run jobs under Node 20+ (the depthlab.nodeExecutable setting, or the CLI)`);
  }
  hookDawnEvents();
  privateRuntimeDir();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const addon = require(addonPath()) as DawnAddon;
  for (const [name, value] of Object.entries(addon.globals)) if (!(name in globalThis)) Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  loaded = addon;
  return addon;
}

const addonPath = () =>
  nativeAddonPath({
    besideBundle: path.join('dawn', 'dawn.node'),
    packageName: 'webgpu',
    inPackage: path.join('dist', dawnPlatform(), 'dawn.node'),
    notInstalled: 'the npm package "webgpu" (Dawn) is not installed',
    noBuild: `Dawn has no build for ${dawnPlatform()}`,
  });

/**
 * The Vulkan loader and Mesa's drivers want XDG_RUNTIME_DIR and complain on stderr without it (a
 * service, a container, sudo): where it is unset, a private folder of this user's stands in.
 */
function privateRuntimeDir(): void {
  if (process.platform !== 'linux' || process.env.XDG_RUNTIME_DIR) return;
  process.env.XDG_RUNTIME_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'depthlab-runtime-'));
  fs.chmodSync(process.env.XDG_RUNTIME_DIR, 0o700);
}
