// npm start: the paper's experiment on Moby Dick (depthlab compare), its output shown as it comes;
// then docs/engine.md's excerpt of it (the every-other table and the summary, with the time taken)
// replaced by this run's, so the docs show what npm start prints today.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic } from '../src/core/files/atomicWrite';
import { startExcerpt, withExcerpt } from './startExcerpt';

const root = path.resolve(__dirname, '..');
const EXCERPT_PAGE = path.join(root, 'docs', 'engine.md');

const started = Date.now();
// search-on-valid's sweep is left out of the quick start to keep it within 3 minutes on 2 cores.
const QUICK_STRATEGIES = 'every-other,importance,contiguous-block,spread';
const child = spawn(process.execPath, [path.join(root, 'dist', 'cli.js'), 'compare', 'examples/moby-dick.depthlab.json', '--strategies', QUICK_STRATEGIES, ...process.argv.slice(2)], {
  cwd: root,
  stdio: ['inherit', 'pipe', 'inherit'],
});
let printed = '';
child.stdout.on('data', (chunk: Buffer) => {
  process.stdout.write(chunk);
  printed += chunk;
});
child.on('close', (code) => {
  if (code !== 0 || process.argv.length > 2) process.exit(code ?? 1);
  updateExcerpt();
});

function updateExcerpt(): void {
  const excerpt = startExcerpt(printed);
  if (!excerpt) {
    process.stderr.write('npm start: the compare output had no every-other table; docs/engine.md left as it was\n');
    return;
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  const heading = `Part of what it printed (${Math.floor(seconds / 60)} min ${seconds % 60} s on ${os.cpus().length} cores, ${new Date().toISOString().slice(0, 10)}; \`npm start\` rewrites this block):`;
  const page = withExcerpt(fs.readFileSync(EXCERPT_PAGE, 'utf8'), heading, excerpt);
  if (!page) {
    process.stderr.write('npm start: docs/engine.md has no "npm start: begin … end" block; left as it was\n');
    return;
  }
  writeFileAtomic(EXCERPT_PAGE, page);
  process.stdout.write('docs/engine.md: its npm start excerpt now shows this run\n');
}
