/**
 * A GPT-2-small-shaped model (12 layers, d 768, 12 heads, vocabulary 50,257, 1,024 positions;
 * 124M parameters) with random weights, written as a Hugging Face folder, and its forward speed
 * on one 256-token window through DepthLab's Gpt2Model: the shapes a real GPT-2 analysis runs.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeRawSafetensors } from '../src/core/checkpoint/safetensors';
import { Gpt2Model } from '../src/core/huggingface/families/gpt2';
import * as tf from '../src/core/backend/tf';
import { streamsLayers } from '../src/core/huggingface/openPretrained';
import { readPretrainedConfig } from '../src/core/huggingface/pretrainedConfig';
import { PretrainedWeights } from '../src/core/huggingface/pretrainedWeights';
import { openWeights } from '../src/core/huggingface/weightFiles';
import { Rng } from '../src/core/random/rng';
import { openBenchModel } from './benchModel';
import { forwardSpeed } from './forwardSpeed';

export const GPT2_SMALL = { model_type: 'gpt2', n_layer: 12, n_embd: 768, n_head: 12, n_positions: 1024, vocab_size: 50257, layer_norm_epsilon: 1e-5, activation_function: 'gelu_new' };
export const WINDOW = 256;

/** Writes a random GPT-2 of these shapes (GPT-2 small by default) into a temp folder; returns the folder and its F32 bytes. */
export function writeGpt2(shape: typeof GPT2_SMALL = GPT2_SMALL): { folder: string; bytes: number } {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'depthlab-gpt2-'));
  const { n_layer: L, n_embd: d, vocab_size: V, n_positions: P } = shape;
  const rng = new Rng(1);
  const random = (shape: number[]) => {
    const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < values.length; i++) values[i] = (rng.next() - 0.5) * 0.04;
    return values;
  };
  const tensors = [['transformer.wte.weight', [V, d]], ['transformer.wpe.weight', [P, d]], ['transformer.ln_f.weight', [d]], ['transformer.ln_f.bias', [d]]] as Array<[string, number[]]>;
  for (let l = 0; l < L; l++) {
    const shapes: Record<string, number[]> = {
      'ln_1.weight': [d], 'ln_1.bias': [d], 'attn.c_attn.weight': [d, 3 * d], 'attn.c_attn.bias': [3 * d], 'attn.c_proj.weight': [d, d], 'attn.c_proj.bias': [d],
      'ln_2.weight': [d], 'ln_2.bias': [d], 'mlp.c_fc.weight': [d, 4 * d], 'mlp.c_fc.bias': [4 * d], 'mlp.c_proj.weight': [4 * d, d], 'mlp.c_proj.bias': [d],
    };
    for (const [suffix, shape] of Object.entries(shapes)) tensors.push([`transformer.h.${l}.${suffix}`, shape]);
  }
  const raw = tensors.map(([name, shape]) => {
    const data = random(shape);
    return { name, dtype: 'F32', shape, bytes: new Uint8Array(data.buffer) };
  });
  fs.writeFileSync(path.join(folder, 'model.safetensors'), encodeRawSafetensors(raw));
  fs.writeFileSync(path.join(folder, 'config.json'), JSON.stringify(shape));
  return { folder, bytes: raw.reduce((sum, t) => sum + t.bytes.byteLength, 0) };
}

export function openGpt2(folder: string): Gpt2Model {
  const files = openWeights(folder);
  return new Gpt2Model(readPretrainedConfig(folder), new PretrainedWeights(files, 'transformer.', streamsLayers(tf.getBackend(), files)));
}

/** Load time and forward tokens/s of one window (`forwardSpeed.ts`) of the GPT-2-small-shaped folder. */
export async function gpt2SmallForward(folder: string, repeats: number, window = WINDOW) {
  const started = performance.now();
  const model = openBenchModel(folder, () => openGpt2(folder));
  const loadSeconds = +((performance.now() - started) / 1000).toFixed(1);
  const speed = await forwardSpeed(model, GPT2_SMALL.vocab_size, window, repeats);
  model.dispose();
  return { ...speed, loadSeconds };
}
