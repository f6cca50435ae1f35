/**
 * node --import tsx bench/writeLlama.ts 1b|8b
 *
 * A Llama-3.2-1B- or Llama-3.1-8B-shaped folder of random BF16 weights (2.5 / 16 GB, in $TMPDIR),
 * with the GPT-2 fixture's tokenizer, for timing analyses at the shapes users prune:
 * `/usr/bin/time -v npx depthlab analyze <folder> --budget 10m` (issue 34's targets).
 */
import { withFixtureTokenizer } from './benchModel';
import { LLAMA_1B, LLAMA_8B, writeLlamaFolder } from './llama1B';

const SHAPES: Record<string, typeof LLAMA_1B> = { '1b': LLAMA_1B, '8b': LLAMA_8B };
const shape = SHAPES[process.argv[2] ?? ''];
if (!shape) {
  process.stderr.write('usage: node --import tsx bench/writeLlama.ts 1b|8b\n');
  process.exit(2);
}
const { folder, bytes } = writeLlamaFolder(shape);
withFixtureTokenizer(folder);
process.stdout.write(`${folder} (${(bytes / 2 ** 30).toFixed(1)} GB)\n`);
