/**
 * A Llama-3.2-1B-shaped model (16 layers, d 2,048, GQA 32/8 heads, ffn 8,192, vocabulary 128,256,
 * tied, llama3 rope; 1.24B parameters, 2.5 GB of BF16) with random weights, written as a Hugging
 * Face folder tensor by tensor (no whole-model buffer), and its forward speed on one window through
 * DepthLab's LlamaModel with peak tensor memory and the GPU buffers held: the model a GPU must open.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '../src/core/backend/tf';
import { LlamaModel } from '../src/core/huggingface/families/llama';
import { refuseWhatCannotFit, streamsLayers } from '../src/core/huggingface/openPretrained';
import { readPretrainedConfig } from '../src/core/huggingface/pretrainedConfig';
import { PretrainedWeights } from '../src/core/huggingface/pretrainedWeights';
import { openWeights } from '../src/core/huggingface/weightFiles';
import { openBenchModel } from './benchModel';
import { forwardSpeed } from './forwardSpeed';

export const LLAMA_1B = {
  model_type: 'llama',
  architectures: ['LlamaForCausalLM'],
  hidden_size: 2048,
  intermediate_size: 8192,
  num_hidden_layers: 16,
  num_attention_heads: 32,
  num_key_value_heads: 8,
  head_dim: 64,
  vocab_size: 128_256,
  max_position_embeddings: 131_072,
  rms_norm_eps: 1e-5,
  hidden_act: 'silu',
  tie_word_embeddings: true,
  rope_theta: 500_000,
  rope_scaling: { factor: 32, high_freq_factor: 4, low_freq_factor: 1, original_max_position_embeddings: 8192, rope_type: 'llama3' },
  torch_dtype: 'bfloat16',
};
export const LLAMA_WINDOW = 256;

/** Llama-3.1-8B's shapes (32 layers, d 4,096, GQA 32/8, ffn 14,336, untied; 8.03B parameters, 16 GB of BF16): the model users prune most. */
export const LLAMA_8B: typeof LLAMA_1B = {
  ...LLAMA_1B,
  hidden_size: 4096,
  intermediate_size: 14_336,
  num_hidden_layers: 32,
  head_dim: 128,
  tie_word_embeddings: false,
  rope_scaling: { ...LLAMA_1B.rope_scaling, factor: 8 },
};

/** The folder's tensors: name and shape, in the order transformers saves them. */
function tensorShapes(shape: typeof LLAMA_1B): Array<[string, number[]]> {
  const { hidden_size: d, intermediate_size: f, num_hidden_layers: L, num_key_value_heads: kv, head_dim: h, vocab_size: V } = shape;
  const tensors: Array<[string, number[]]> = [['model.embed_tokens.weight', [V, d]], ['model.norm.weight', [d]]];
  if (!shape.tie_word_embeddings) tensors.push(['lm_head.weight', [V, d]]);
  for (let l = 0; l < L; l++) {
    const layer = `model.layers.${l}`;
    tensors.push(
      [`${layer}.input_layernorm.weight`, [d]],
      [`${layer}.self_attn.q_proj.weight`, [shape.num_attention_heads * h, d]],
      [`${layer}.self_attn.k_proj.weight`, [kv * h, d]],
      [`${layer}.self_attn.v_proj.weight`, [kv * h, d]],
      [`${layer}.self_attn.o_proj.weight`, [d, shape.num_attention_heads * h]],
      [`${layer}.post_attention_layernorm.weight`, [d]],
      [`${layer}.mlp.gate_proj.weight`, [f, d]],
      [`${layer}.mlp.up_proj.weight`, [f, d]],
      [`${layer}.mlp.down_proj.weight`, [d, f]],
    );
  }
  return tensors;
}

/** Writes the random BF16 folder into a temp folder, streaming one tensor at a time; returns it and its file size. */
export function writeLlamaFolder(shape = LLAMA_1B): { folder: string; bytes: number } {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'depthlab-llama-'));
  const tensors = tensorShapes(shape);
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const [name, dims] of tensors) {
    const bytes = 2 * dims.reduce((a, b) => a * b, 1);
    header[name] = { dtype: 'BF16', shape: dims, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const file = path.join(folder, 'model.safetensors');
  const fd = fs.openSync(file, 'w');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  fs.writeSync(fd, length);
  fs.writeSync(fd, json);
  let state = 1;
  for (const [name, dims] of tensors) {
    const count = dims.reduce((a, b) => a * b, 1);
    const values = new Uint16Array(count);
    if (name.endsWith('norm.weight')) values.fill(0x3f80); // 1.0, as a trained norm is near 1
    else {
      // xorshift32 in [-0.02, 0.02), rounded to BF16 by keeping the float's upper half.
      const f32 = new Float32Array(1);
      const u32 = new Uint32Array(f32.buffer);
      for (let i = 0; i < count; i++) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        f32[0] = ((state >>> 0) / 2 ** 32 - 0.5) * 0.04;
        values[i] = u32[0] >>> 16;
      }
    }
    fs.writeSync(fd, new Uint8Array(values.buffer));
  }
  fs.closeSync(fd);
  fs.writeFileSync(path.join(folder, 'config.json'), JSON.stringify(shape, null, 2));
  return { folder, bytes: fs.statSync(file).size };
}

/** Load the folder on the active backend and time forward passes of one window through every layer and the LM head. */
export async function llama1BForward(folder: string, repeats: number, window = LLAMA_WINDOW) {
  const started = performance.now();
  const model = openBenchModel(folder, () => {
    const config = readPretrainedConfig(folder);
    const files = openWeights(folder);
    refuseWhatCannotFit(folder, files, config, tf.getBackend());
    return new LlamaModel(config, new PretrainedWeights(files, 'model.', streamsLayers(tf.getBackend(), files)));
  });
  const loadSeconds = +((performance.now() - started) / 1000).toFixed(1);
  const speed = await forwardSpeed(model, LLAMA_1B.vocab_size, window, repeats);
  const gpuBytes = (tf.memory() as tf.MemoryInfo & { numBytesInGPUAllocated?: number }).numBytesInGPUAllocated;
  model.dispose();
  return { ...speed, loadSeconds, gpuBuffersGB: gpuBytes === undefined ? undefined : +(gpuBytes / 2 ** 30).toFixed(2) };
}

