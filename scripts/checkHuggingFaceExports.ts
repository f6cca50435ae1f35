/**
 * npm run check:huggingface — needs Python with torch, transformers and safetensors (README).
 *
 * Exports every fixture family pruned to a few layers, writes DepthLab's logits of the same
 * sub-network on the fixture's text beside each export, and runs the fixture script's check mode:
 * transformers loads the export (no missing or unexpected keys) and its logits must match.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '../src/core/backend/tf';
import { writeSafetensors } from '../src/core/checkpoint/safetensors';
import { exportModelJob } from '../src/core/jobs/exportModelJob';
import { openPretrained } from '../src/core/huggingface/openPretrained';

const FIXTURES = path.join(__dirname, '..', 'test', 'fixtures', 'huggingface');
const KEEP: Record<string, number[]> = { gpt2: [1, 3], llama: [0, 2, 3], mistral: [1, 2], qwen2: [0, 3], bert: [0, 2], roberta: [1, 2], distilbert: [2] };

async function main() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'depthlab-hf-check-'));
  let failed = 0;
  for (const [family, keep] of Object.entries(KEEP)) {
    const source = path.join(root, family);
    fs.cpSync(path.join(FIXTURES, family), source, { recursive: true });
    const { out } = await exportModelJob({ folder: source, layers: keep, tokens: 1024, window: 32 }, { backend: 'wasm' });
    const ids = (JSON.parse(fs.readFileSync(path.join(source, 'reference.json'), 'utf8')) as { ids: number[] }).ids;
    const { model } = openPretrained(source, 'wasm');
    const logits = tf.tidy(() => {
      const inputs = Int32Array.from(ids);
      const stream = model.embed({ size: 1, length: ids.length, inputs, targets: inputs }, { training: false });
      for (const layer of keep) stream.x = model.block(stream, layer, { training: false });
      return model.logits(stream.x).dataSync() as Float32Array;
    });
    model.dispose();
    const expected = path.join(root, `${family}-expected.safetensors`);
    writeSafetensors(expected, { tensors: new Map([['ids', { shape: [ids.length], data: Float32Array.from(ids) }], ['logits', { shape: [ids.length, logits.length / ids.length], data: logits }]]), metadata: {} });
    const check = spawnSync('python3', [path.join(__dirname, 'fixtures', 'huggingface.py'), 'check', out, expected], { stdio: 'inherit' });
    failed += check.status === 0 ? 0 : 1;
  }
  process.exit(failed ? 1 : 0);
}

main();
