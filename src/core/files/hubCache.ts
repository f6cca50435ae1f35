import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UserError } from '../errors';

/** What the Hub names a repository by: `org/name`, and optionally `@revision` (a branch, a tag or a commit). */
const REPO_ID = /^([A-Za-z0-9][\w.-]*)\/([\w.-]+)(?:@(.+))?$/;

/** The cache huggingface_hub downloads into: HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub (constants.py). */
export function hubCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HF_HUB_CACHE) return env.HF_HUB_CACHE;
  return path.join(env.HF_HOME ?? path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'huggingface'), 'hub');
}

export type RepoKind = 'model' | 'dataset';

/** A repository's snapshot in the cache. */
export interface CachedSnapshot {
  kind: RepoKind;
  /** `org/name`. */
  id: string;
  /** The revision asked for (`main` by default), and the commit it points at: the snapshot's folder name. */
  revision: string;
  commit: string;
  folder: string;
}

const repoFolder = (cache: string, kind: RepoKind, id: string) => path.join(cache, `${kind}s--${id.replace('/', '--')}`);

/** Whether `text` is spelled as a Hub id (and so may be looked up in the cache). */
export const isRepoId = (text: string) => REPO_ID.test(text) && !text.startsWith('.');

/**
 * `org/name[@revision]` in the cache, as huggingface_hub resolves it offline: `refs/<revision>` (main
 * by default) holds the commit whose folder is under `snapshots/`, or the revision is a commit
 * itself. Never downloads: a repository or revision the cache lacks is one error naming the cache
 * and the command that downloads it.
 */
export function resolveRepoId(text: string, kind: RepoKind = 'model', env: NodeJS.ProcessEnv = process.env): CachedSnapshot {
  const match = REPO_ID.exec(text);
  if (!match) throw new UserError(`${text}: not a Hub id; allowed: org/name or org/name@revision`);
  const [, org, name, asked] = match;
  const id = `${org}/${name}`;
  const revision = asked ?? 'main';
  const cache = hubCacheDir(env);
  const repo = repoFolder(cache, kind, id);
  const refFile = path.join(repo, 'refs', revision);
  const commit = fs.existsSync(refFile) && fs.statSync(refFile).isFile() ? fs.readFileSync(refFile, 'utf8').trim() : revision;
  const folder = path.join(repo, 'snapshots', commit);
  if (fs.existsSync(folder) && fs.statSync(folder).isDirectory()) return { kind, id, revision, commit, folder };
  const download = `hf download ${id}${kind === 'dataset' ? ' --repo-type dataset' : ''}${asked ? ` --revision ${asked}` : ''}`;
  const what = fs.existsSync(repo) ? `${id}@${revision} is not in the Hugging Face cache (${repo} has ${listRevisions(repo).join(', ') || 'no snapshots'})` : `${id} is not in the Hugging Face cache (${cache}; HF_HUB_CACHE or HF_HOME set it)`;
  throw new UserError(`${what}; DepthLab never downloads: ${download}`);
}

function listRevisions(repo: string): string[] {
  const refs = path.join(repo, 'refs');
  const named = fs.existsSync(refs) ? fs.readdirSync(refs) : [];
  const snapshots = fs.existsSync(path.join(repo, 'snapshots')) ? fs.readdirSync(path.join(repo, 'snapshots')).map((commit) => commit.slice(0, 12)) : [];
  return [...named, ...snapshots];
}

/** The snapshot a folder is, when it lies in a Hub cache's layout (`…/models--org--name/snapshots/<commit>`); the cache belongs to huggingface_hub. */
export function snapshotOf(folder: string): CachedSnapshot | undefined {
  const parts = path.resolve(folder).split(path.sep);
  const at = parts.lastIndexOf('snapshots');
  if (at < 1 || at !== parts.length - 2) return undefined;
  const repo = /^(model|dataset)s--([^-].*?)--(.+)$/.exec(parts[at - 1]);
  if (!repo) return undefined;
  return { kind: repo[1] as RepoKind, id: `${repo[2]}/${repo[3]}`, revision: parts[at + 1], commit: parts[at + 1], folder: path.resolve(folder) };
}

/** A model the cache holds, as the editor's picker lists it. */
export interface CachedModel extends CachedSnapshot {
  /** Bytes of the repository's blobs on disk, every revision together. */
  bytes: number;
}

/** Every model snapshot in the cache, newest first within a repository; a folder the cache tools did not make is passed over. */
export function cachedModels(env: NodeJS.ProcessEnv = process.env): CachedModel[] {
  const cache = hubCacheDir(env);
  if (!fs.existsSync(cache)) return [];
  return fs
    .readdirSync(cache)
    .filter((name) => name.startsWith('models--'))
    .flatMap((name) => {
      const repo = path.join(cache, name);
      const snapshots = path.join(repo, 'snapshots');
      if (!fs.existsSync(snapshots)) return [];
      const refs = fs.existsSync(path.join(repo, 'refs')) ? fs.readdirSync(path.join(repo, 'refs')).filter((ref) => fs.statSync(path.join(repo, 'refs', ref)).isFile()) : [];
      const named = new Map(refs.map((ref) => [fs.readFileSync(path.join(repo, 'refs', ref), 'utf8').trim(), ref]));
      const bytes = blobBytes(path.join(repo, 'blobs'));
      return fs
        .readdirSync(snapshots)
        .map((commit) => ({ commit, at: fs.statSync(path.join(snapshots, commit)).mtimeMs }))
        .sort((a, b) => b.at - a.at)
        .map(({ commit }) => ({ ...snapshotOf(path.join(snapshots, commit))!, revision: named.get(commit) ?? commit, bytes }));
    });
}

function blobBytes(blobs: string): number {
  if (!fs.existsSync(blobs)) return 0;
  return fs.readdirSync(blobs).reduce((sum, blob) => sum + fs.statSync(path.join(blobs, blob)).size, 0);
}

/**
 * The folder a user means by `text`: a path that exists (it wins over an id spelled the same), else
 * a Hub id looked up in the cache; undefined for anything else.
 */
export function modelFolderOf(text: string, base = process.cwd()): string | undefined {
  const asPath = path.resolve(base, text);
  if (fs.existsSync(asPath)) return asPath;
  return isRepoId(text) ? resolveRepoId(text).folder : undefined;
}

/** How a model is named to the user: its Hub id (and revision, when not main) for a cached snapshot, else its folder's name. */
export function modelLabel(folder: string): string {
  const snapshot = snapshotOf(folder);
  return snapshot ? snapshot.id : path.basename(folder);
}

/** Whether `text` is spelled as a dataset split in the cache: `org/name[@revision][:split]`. */
export const isDatasetSpec = (text: string) => isRepoId(text.split(':')[0]);

/**
 * A dataset split's parquet files in the cache, as `--task org/name[@revision][:split]` names it
 * (`validation` by default; a config's folder may lead the split, `ARC-Easy/test`): the files of that
 * split, shards in order. A split the snapshot lacks, or one in several configs, is one error
 * naming what it has.
 */
export function datasetSplitFiles(spec: string, env: NodeJS.ProcessEnv = process.env): { name: string; files: string[] } {
  const [repo, split = 'validation'] = spec.split(':');
  const snapshot = resolveRepoId(repo, 'dataset', env);
  const parquet = parquetFiles(snapshot.folder).map((file) => ({ file, rel: path.relative(snapshot.folder, file).split(path.sep).join('/').replace(/\.parquet$/, '') }));
  const splitOf = (rel: string) => rel.replace(/-\d{5}-of-\d{5}$/, '');
  const matching = parquet.filter(({ rel }) => splitOf(rel) === split || splitOf(rel).endsWith(`/${split}`));
  const configs = [...new Set(matching.map(({ rel }) => path.posix.dirname(rel)))];
  const available = [...new Set(parquet.map(({ rel }) => splitOf(rel)))].join(', ') || 'no parquet files';
  if (!matching.length) throw new UserError(`${spec}: ${snapshot.id} has no split ${split} in the cache (it has ${available})`);
  if (configs.length > 1) throw new UserError(`${spec}: split ${split} is in several configs of ${snapshot.id} (${configs.join(', ')}); name one: ${repo}:${configs[0]}/${split.split('/').pop()}`);
  return { name: `${snapshot.id.split('/')[1]}-${split.replace(/\//g, '-')}`, files: matching.map(({ file }) => file).sort() };
}

function parquetFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const at = path.join(dir, entry.name);
    if (entry.isDirectory()) return parquetFiles(at);
    return entry.name.endsWith('.parquet') ? [at] : [];
  });
}
