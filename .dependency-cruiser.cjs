/**
 * The import rules of the data flow (npm run deps; part of npm test): the engine (src/core) is
 * editor-free and knows nothing of the channels that carry its results; run files are read below
 * the jobs that use them; the page stays free of zod and the engine; nothing imports in a cycle.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', from: {}, to: { circular: true } },
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
      name: 'runs-below-jobs',
      comment: 'run/ reads and writes run files; the pipeline and jobs build on it, never the other way.',
      severity: 'error',
      from: { path: '^src/core/run/' },
      to: { path: '^src/(core/(pipeline|jobs)|protocol)/' },
    },
    {
      name: 'host-without-tensorflow',
      comment: 'The extension host stays light: the engine runs in the worker.',
      severity: 'error',
      from: { path: '^src/extension/' },
      to: { path: ['^@tensorflow', '^src/core/(backend|model|train|jobs|ops)/', 'node_modules/@tensorflow/'] },
    },
    {
      name: 'page-is-small',
      comment: 'The Depth Explorer page imports shared constants and pure helpers, not zod or the engine.',
      severity: 'error',
      from: { path: '^webview/' },
      to: { path: ['node_modules/zod/', '^src/core/(config/schema|backend|model|train|jobs|source)', '^src/(extension|worker|cli)/'] },
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
