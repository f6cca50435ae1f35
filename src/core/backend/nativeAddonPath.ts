import * as fs from 'node:fs';
import * as path from 'node:path';

/** Where a native addon is: beside the bundle in a platform vsix, or inside its npm package. */
export interface NativeAddon {
  /** Relative to the bundle's folder, e.g. `dawn/dawn.node`. */
  besideBundle: string;
  packageName: string;
  /** Relative to the package's folder, for this platform. */
  inPackage: string;
  /** The reason given when neither the bundle's copy nor the package is there. */
  notInstalled: string;
  /** The reason given when the package has no build for this platform. */
  noBuild: string;
}

/** The addon's file; throws with the reason where it is not there. */
export function nativeAddonPath(addon: NativeAddon): string {
  const besideBundle = path.join(__dirname, addon.besideBundle);
  if (fs.existsSync(besideBundle)) return besideBundle;
  let packageDir: string;
  try {
    packageDir = path.dirname(require.resolve(`${addon.packageName}/package.json`));
  } catch {
    throw new Error(addon.notInstalled);
  }
  const file = path.join(packageDir, addon.inPackage);
  if (!fs.existsSync(file)) throw new Error(addon.noBuild);
  return file;
}
