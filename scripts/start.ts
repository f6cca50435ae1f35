// npm start: the paper's experiment on Moby Dick (depthlab compare), its output shown as it comes;
// then the README's excerpt of it (the every-other table and the summary, with the time taken)
// replaced by this run's, so the README shows what npm start prints today.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic } from '../src/core/files/atomicWrite';
import { readmeExcerpt, withExcerpt } from './readmeExcerpt';

const root = path.resolve(__dirname, '..');
const README = path.join(root, 'README.md');

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
  updateReadme();
});

function updateReadme(): void {
  const excerpt = readmeExcerpt(printed);
  if (!excerpt) {
    process.stderr.write('npm start: the compare output had no every-other table; README.md left as it was\n');
    return;
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  const heading = `Part of what it printed (${Math.floor(seconds / 60)} min ${seconds % 60} s on ${os.cpus().length} cores, ${new Date().toISOString().slice(0, 10)}; \`npm start\` rewrites this block):`;
  const readme = withExcerpt(fs.readFileSync(README, 'utf8'), heading, excerpt);
  if (!readme) {
    process.stderr.write('npm start: README.md has no "npm start: begin … end" block; left as it was\n');
    return;
  }
  writeFileAtomic(README, readme);
  process.stdout.write('README.md: its npm start excerpt now shows this run\n');
}
