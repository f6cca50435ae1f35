import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * The Vulkan drivers (ICD manifests) the Vulkan loader would find on Linux, looked up where the
 * loader looks, so a machine without one is told so without loading Dawn (which would print the
 * loader's warnings for every job).
 */
export function vulkanDrivers(env: NodeJS.ProcessEnv = process.env): string[] {
  const listed = env.VK_DRIVER_FILES ?? env.VK_ICD_FILENAMES;
  if (listed) return listed.split(path.delimiter).filter((file) => fs.existsSync(file));
  const dataDirs = (env.XDG_DATA_DIRS || '/usr/local/share:/usr/share').split(path.delimiter);
  const configDirs = (env.XDG_CONFIG_DIRS || '/etc/xdg').split(path.delimiter);
  const dirs = [
    ...configDirs.map((dir) => path.join(dir, 'vulkan/icd.d')),
    '/etc/vulkan/icd.d',
    ...dataDirs.map((dir) => path.join(dir, 'vulkan/icd.d')),
    path.join(env.XDG_DATA_HOME || path.join(os.homedir(), '.local/share'), 'vulkan/icd.d'),
  ];
  const added = (env.VK_ADD_DRIVER_FILES ?? '').split(path.delimiter).filter((file) => file && fs.existsSync(file));
  return [...new Set(dirs)].flatMap((dir) => jsonFiles(dir)).concat(added);
}

function jsonFiles(dir: string): string[] {
  try {
    return fs.readdirSync(dir).filter((file) => file.endsWith('.json')).map((file) => path.join(dir, file));
  } catch {
    return [];
  }
}
