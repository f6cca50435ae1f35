/**
 * The import rules of the data flow (npm run deps; part of npm test). The engine (src/core) is
 * editor-free and knows nothing of the channels that carry its results. Its rooms are layered
 * lowest first, as the data flows (config → data → model → train → statistics → prune/evaluate →
 * export, then the analyses and the jobs that wire requests to them): a room imports only rooms
 * below it. A backend's own folder is private to backend/. The page stays free of zod and the
 * engine; nothing imports in a cycle. docs/architecture.md draws the same layers.
 */

/** src/core's rooms, lowest first; a name ending in .ts is a single file at src/core's root. */
const LAYERS = [
  ['errors.ts', 'files', 'random'],
  ['config'],
  ['layerLists'],
  ['backend'],
  ['ops'],
  ['data'],
  ['tasks'],
  ['model'],
  ['checkpoint'],
  ['huggingface'],
  ['evaluate'],
  ['statistics'],
  ['prune'],
  ['run'],
  ['events.ts'],
  ['train'],
  ['compare'],
  ['report'],
  ['export'],
  ['analysis'],
  ['jobs'],
];

const room = (name) => (name.endsWith('.ts') ? name.replace('.', '[.]') + '$' : `${name}/`);
const roomsPath = (names) => `^src/core/(${names.map(room).join('|')})`;

/** One rule per layer: nothing in it imports a room above it. */
const layerRules = LAYERS.slice(0, -1).map((names, i) => ({
  name: `layers-${names[0].replace('.ts', '')}`,
  comment: `${names.join(', ')} import only the rooms below them (src/core's layers, .dependency-cruiser.cjs)`,
  severity: 'error',
  from: { path: roomsPath(names) },
  to: { path: roomsPath(LAYERS.slice(i + 1).flat()) },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', from: {}, to: { circular: true } },
    ...layerRules,
    {
      name: 'core-rooms-are-known',
      comment: 'Every folder of src/core has its place in LAYERS above.',
      severity: 'error',
      from: { path: '^src/core/', pathNot: roomsPath(LAYERS.flat()) },
      to: {},
    },
    {
      name: 'backends-are-private',
      comment: "A backend's own folder is backend/'s business: the engine asks backend/'s descriptions and facades, never a backend's internals.",
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/core/backend/' },
      to: { path: '^src/core/backend/[^/]+/' },
    },
    {
      name: 'core-is-editor-free',
      comment: 'src/core serves the CLI, the worker and tests: no vscode, no front end, no channel types.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: ['^vscode$', '^src/(extension|cli|worker|protocol)/', '^webview/'] },
    },
    {
      name: 'core-does-not-need-vscode-module',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { couldNotResolve: true, path: '^vscode$' },
    },
    {
      name: 'host-without-tensorflow',
      comment: 'The extension host stays light: the engine runs in the worker.',
      severity: 'error',
      from: { path: '^src/extension/' },
      to: { path: ['^@tensorflow', '^src/core/(backend|ops|model|evaluate|statistics|train|analysis|jobs)/', '^src/core/huggingface/families/', 'node_modules/@tensorflow/'] },
    },
    {
      name: 'page-is-small',
      comment: 'The Depth Explorer page imports shared constants and pure helpers, not zod or the engine.',
      severity: 'error',
      from: { path: '^webview/' },
      to: { path: ['node_modules/zod/', '^src/core/(config/schema|backend|model|train|jobs|analysis)', '^src/(extension|worker|cli)/'] },
    },
    {
      name: 'one-channel-per-protocol-module',
      comment: 'worker.ts is host↔worker, explorer.ts is host↔page: neither imports the other.',
      severity: 'error',
      from: { path: '^src/protocol/(worker|explorer)[.]ts$' },
      to: { path: '^src/protocol/(worker|explorer)[.]ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
