import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The oldest Node DepthLab's native addons (Dawn, onnxruntime) run under. */
const MIN_NODE_MAJOR = 20;

/** Where jobs run, and the line that says so; `execPath` undefined: the editor's own runtime. */
export interface JobRuntime {
  execPath?: string;
  text: string;
}

/** What the search sees of the machine (the real one unless a test says otherwise). */
export interface RuntimeSearch {
  /** The `depthlab.nodeExecutable` setting. */
  configured?: string;
  /** Electron's version when the extension host runs in Electron (VS Code desktop); undefined under Node (code-server, tests). */
  electron?: string;
  env?: NodeJS.ProcessEnv;
  home?: string;
}

/** A node binary's version, or why it is not one to use. */
function nodeVersion(file: string): { version: string } | { problem: string } {
  try {
    fs.accessSync(file, fs.constants.X_OK);
  } catch {
    return { problem: fs.existsSync(file) ? 'not executable' : 'not found' };
  }
  const run = spawnSync(file, ['--version'], { encoding: 'utf8', timeout: 5_000 });
  const version = /^v(\d+)\.\d+\.\d+/.exec(run.stdout?.trim() ?? '');
  if (run.status !== 0 || !version) return { problem: `did not say its version (${run.error?.message ?? `exit ${run.status}`})` };
  if (Number(version[1]) < MIN_NODE_MAJOR) return { problem: `${version[0]} is older than Node ${MIN_NODE_MAJOR}` };
  return { version: version[0] };
}

/** Node binaries worth trying, in order: the setting, PATH, then the current version of nvm, volta and fnm. */
function candidates({ configured, env = process.env, home = os.homedir() }: RuntimeSearch): Array<[string, string]> {
  const exe = process.platform === 'win32' ? 'node.exe' : 'node';
  const bin = (dir: string | undefined) => (dir ? path.join(dir, exe) : undefined);
  const nvmDefault = (() => {
    const dir = env.NVM_DIR ?? path.join(home, '.nvm');
    try {
      const alias = fs.readFileSync(path.join(dir, 'alias', 'default'), 'utf8').trim();
      const versions = fs.readdirSync(path.join(dir, 'versions', 'node')).filter((v) => v === alias || v === `v${alias}` || v.startsWith(`v${alias.replace(/^v/, '')}.`)).sort();
      return versions.length ? path.join(dir, 'versions', 'node', versions.at(-1)!, 'bin') : undefined;
    } catch {
      return undefined;
    }
  })();
  const found: Array<[string, string | undefined]> = [
    ['the depthlab.nodeExecutable setting', configured],
    ...(env.PATH ?? '').split(path.delimiter).filter(Boolean).map((dir): [string, string | undefined] => ['PATH', bin(dir)]),
    ["nvm's current version", bin(env.NVM_BIN)],
    ["nvm's default version", bin(nvmDefault)],
    ["volta's node", bin(path.join(env.VOLTA_HOME ?? path.join(home, '.volta'), 'bin'))],
    ["fnm's current version", bin(env.FNM_MULTISHELL_PATH && path.join(env.FNM_MULTISHELL_PATH, process.platform === 'win32' ? '' : 'bin'))],
    ["fnm's default version", bin(path.join(env.FNM_DIR ?? path.join(home, '.local', 'share', 'fnm'), 'aliases', 'default', 'bin'))],
  ];
  // Only the setting is worth a word when it names nothing; the usual places simply may not have a Node.
  return found.filter((entry, i): entry is [string, string] => entry[1] !== undefined && (i === 0 || fs.existsSync(entry[1])));
}

/**
 * Where DepthLab's jobs run. Under Electron (VS Code desktop), whose V8 sandbox keeps Dawn's GPU
 * memory out, the first Node 20+ found (the setting, PATH, nvm, volta, fnm) runs them instead, and
 * the job's first line says so; without one, the editor's runtime as before. Elsewhere (code-server,
 * the CLI) the editor's own Node, unless the setting names another.
 */
export function jobRuntime(search: RuntimeSearch): JobRuntime {
  if (!search.electron && !search.configured) return { text: `Node ${process.version} (the editor's)` };
  const passedOver: string[] = [];
  for (const [where, file] of candidates(search)) {
    const found = nodeVersion(file);
    if ('version' in found) {
      const why = search.electron ? `, not VS Code's Electron ${search.electron}, whose sandbox keeps the GPU backend's memory out` : '';
      return { execPath: file, text: `Node ${found.version} at ${file} (${where})${why}` };
    }
    passedOver.push(`${file} (${where}): ${found.problem}`);
  }
  const none = passedOver.length ? `; passed over ${passedOver.join('; ')}` : '';
  return { text: search.electron ? `VS Code's Electron ${search.electron}, as no Node ${MIN_NODE_MAJOR}+ was found${none}: the webgpu backend cannot run here` : `Node ${process.version} (the editor's)${none}` };
}
