/**
 * npm run check:huggingface — needs Python with torch, transformers and safetensors (README).
 *
 * Exports every fixture family pruned to a few layers, and a language model DepthLab trains here
 * (the quick-start shape, 200 steps) pruned to every other layer as a GPT-2 folder; writes
 * DepthLab's logits of the same sub-network beside each export, and runs the fixture script's check
 * mode: transformers loads the export (no missing or unexpected keys) and its logits must match.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '../src/core/backend/tf';
import { writeSafetensors } from '../src/core/checkpoint/safetensors';
import { exportModelJob } from '../src/core/jobs/exportModelJob';
import { openPretrained } from '../src/core/huggingface/openPretrained';
import { selectBackend } from '../src/core/backend/selectBackend';
import { parseConfig } from '../src/core/config/loadConfig';
import { exportJob } from '../src/core/jobs/exportJob';
import type { LayeredModel } from '../src/core/model/layeredModel';
import { train } from '../src/core/train/trainer';

const FIXTURES = path.join(__dirname, '..', 'test', 'fixtures', 'huggingface');
const KEEP: Record<string, number[]> = { gpt2: [1, 3], llama: [0, 2, 3], mistral: [1, 2], qwen2: [0, 3], qwen3: [1, 3], olmo2: [0, 2], phi3: [0, 1, 3], gpt_neox: [0, 3], opt: [1, 2], gemma2: [0, 1, 3], gemma3_text: [1, 2], mistral_sliding: [0, 3], phi3_longrope: [1, 2], bert: [0, 2], roberta: [1, 2], distilbert: [2] };

/** Logits of `ids` through `layers` of a model, as the checker compares them. */
function logitsOf(model: LayeredModel & { logits(x: tf.Tensor2D): tf.Tensor2D }, ids: number[], layers: number[]): Float32Array {
  return tf.tidy(() => {
    const inputs = Int32Array.from(ids);
    const stream = model.embed({ size: 1, length: ids.length, inputs, targets: inputs }, { training: false });
    for (const layer of layers) stream.x = model.block(stream, layer, { training: false });
    return model.logits(stream.x).dataSync() as Float32Array;
  });
}

/** `text`, when given, is what `ids` encode: the checker also tokenizes it with the export's own tokenizer. */
function check(root: string, name: string, exported: string, ids: number[], logits: Float32Array, text?: string): number {
  const expected = path.join(root, `${name}-expected.safetensors`);
  const tensors = new Map([['ids', { shape: [ids.length], data: Float32Array.from(ids) }], ['logits', { shape: [ids.length, logits.length / ids.length], data: logits }]]);
  writeSafetensors(expected, { tensors, metadata: text === undefined ? {} : { text } });
  const result = spawnSync('python3', [path.join(__dirname, 'fixtures', 'huggingface.py'), 'check', exported, expected], { stdio: 'inherit' });
  return result.status === 0 ? 0 : 1;
}

/** Train a small tied-head language model on the bundled text and check its GPT-2 export. */
async function checkTrainedExport(root: string): Promise<number> {
  const file = path.join(root, 'lm', 'lm.depthlab.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const config = { model: { layers: 4, dModel: 64, heads: 4, ffn: 256, seqLen: 64, dropout: 0 }, layerdrop: { rate: 0.5 }, train: { steps: 200, lr: 0.004, evalBatches: 4 } };
  fs.writeFileSync(file, JSON.stringify(config));
  const loaded = parseConfig(fs.readFileSync(file, 'utf8'), file);
  const trained = await train({ loaded, backend: 'wasm' });
  const keep = [0, 2];
  const text = 'Call me Ishmael. Some years ago—never mind how long precisely—';
  const ids = Array.from(trained.opened.tokenizer.encode(text));
  const logits = logitsOf(trained.opened.model, ids, keep);
  trained.opened.model.dispose();
  const { huggingFaceFolder } = await exportJob({ configFile: file, layers: keep }, { backend: 'wasm' });
  return check(root, 'depthlab-lm', huggingFaceFolder!, ids, logits, text);
}

async function main() {
  await selectBackend('wasm');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'depthlab-hf-check-'));
  let failed = await checkTrainedExport(root);
  for (const [family, keep] of Object.entries(KEEP)) {
    const source = path.join(root, family);
    fs.cpSync(path.join(FIXTURES, family), source, { recursive: true });
    const { out } = await exportModelJob({ folder: source, layers: keep, tokens: 1024, window: 32 }, { backend: 'wasm' });
    const ids = (JSON.parse(fs.readFileSync(path.join(source, 'reference.json'), 'utf8')) as { ids: number[] }).ids;
    const { model } = openPretrained(source, 'wasm');
    const logits = logitsOf(model, ids, keep);
    model.dispose();
    failed += check(root, family, out, ids, logits);
  }
  process.exit(failed ? 1 : 0);
}

main();
