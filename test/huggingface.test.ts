import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { FIXTURE_FAMILIES } from './helpers';
import * as tf from '../src/core/backend/tf';
import { selectBackend } from '../src/core/backend/selectBackend';
import { readSafetensors } from '../src/core/checkpoint/safetensors';
import { UserError } from '../src/core/errors';
import { bf16ToF32, decodeFloats, decodeFloatsInto, encodeFloats, f16ToF32, f32ToBf16, f32ToF16 } from '../src/core/huggingface/halfFloats';
import { openPretrained, refuseWhatCannotFit, streamsLayers } from '../src/core/huggingface/openPretrained';
import { readPretrainedConfig } from '../src/core/huggingface/pretrainedConfig';
import { familyOf } from '../src/core/huggingface/families/families';
import { PretrainedWeights } from '../src/core/huggingface/pretrainedWeights';
import { runBatchTask } from '../src/core/evaluate/batchTasks';
import type { LayeredModel } from '../src/core/model/layeredModel';
import { openWeights, readFloatRows, readRawWeight, readWeight } from '../src/core/huggingface/weightFiles';
import { encodeRawSafetensors } from '../src/core/checkpoint/safetensors';
import { exportModelJob } from '../src/core/jobs/exportModelJob';
import { measureDepth } from '../src/core/analysis/depthMeasurements';
import type { Batch } from '../src/core/data/batch';
import type { EngineEvent } from '../src/core/events';
import { PretrainedTokenizer } from '../src/core/data/pretrainedTokenizer';
import { textBatches } from '../src/core/data/textBatches';
import { analyzeModelJob } from '../src/core/jobs/analyzeModelJob';
import { modelSnapshot } from '../src/core/report/modelSnapshot';
import { modelAnalysisText } from '../src/core/report/analysisText';

const FIXTURES = path.join(__dirname, 'fixtures', 'huggingface');

/** The same JSON tree, numbers within `tolerance` (relative past 1). */
function assertCloseTree(actual: unknown, expected: unknown, tolerance: number, where: string): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    assert.ok(Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)), `${where}: ${actual} against ${expected}`);
  } else if (expected && typeof expected === 'object' && actual && typeof actual === 'object') {
    assert.deepEqual(Object.keys(actual), Object.keys(expected), where);
    for (const key of Object.keys(expected)) assertCloseTree((actual as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key], tolerance, `${where}.${key}`);
  } else assert.deepEqual(actual, expected, where);
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

for (const family of FIXTURE_FAMILIES) {
  test(`${family}: logits and the stream entering every layer match transformers to 1e-4`, async () => {
    await selectBackend('wasm');
    const folder = path.join(FIXTURES, family);
    const reference = readSafetensors(path.join(folder, 'reference.safetensors')).tensors;
    const expected = require(path.join(folder, 'reference.json')) as { text: string; ids: number[] };
    const { model, tokenizer } = openPretrained(folder, 'wasm');
    try {
      assert.deepEqual(Array.from(tokenizer.encode(expected.text)), expected.ids, 'token ids equal the Python tokenizer');
      const ids = Int32Array.from(expected.ids);
      const batch: Batch = { size: 1, length: ids.length, inputs: ids, targets: ids };
      const streams = reference.get('streams')!;
      const logits = tf.tidy(() => {
        const stream = model.embed(batch, { training: false });
        const seen = [stream.x];
        for (let layer = 0; layer < model.layers; layer++) seen.push((stream.x = model.block(stream, layer, { training: false })));
        const stacked = tf.stack(seen).dataSync() as Float32Array;
        assert.ok(maxDifference(stacked, streams.data) < 1e-4, `streams differ by ${maxDifference(stacked, streams.data)}`);
        return model.logits(stream.x).dataSync() as Float32Array;
      });
      const difference = maxDifference(logits, reference.get('logits')!.data);
      assert.ok(difference < 1e-4, `logits differ by ${difference}`);
    } finally {
      model.dispose();
    }
  });
}

test('F16 and BF16 weights load to the values torch converts them to; encoding back rounds as torch does', () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'depthlab-dtypes-'));
  fs.copyFileSync(path.join(FIXTURES, 'dtypes.safetensors'), path.join(folder, 'model.safetensors'));
  const files = openWeights(folder);
  const f32 = readWeight(files, 'f32').data;
  assert.deepEqual(readWeight(files, 'f16').data, readWeight(files, 'f16_as_f32').data);
  assert.deepEqual(readWeight(files, 'bf16').data, readWeight(files, 'bf16_as_f32').data);
  assert.deepEqual(f16ToF32(f32ToF16(f32)), readWeight(files, 'f16_as_f32').data);
  assert.deepEqual(bf16ToF32(f32ToBf16(f32)), readWeight(files, 'bf16_as_f32').data);
  // Decoded in place, at an offset, as the vocabulary blocks of a streamed model are.
  for (const dtype of ['F32', 'F16', 'BF16'] as const) {
    const bytes = encodeFloats(dtype, f32);
    const out = new Float32Array(f32.length + 3).fill(7);
    decodeFloatsInto(dtype, bytes, out, 3);
    assert.deepEqual(out.subarray(3), decodeFloats(dtype, bytes), dtype);
    assert.deepEqual([...out.subarray(0, 3)], [7, 7, 7]);
  }
});

test('a BF16 copy of a model gives the F32 model’s logits to BF16 precision', async () => {
  await selectBackend('wasm');
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'depthlab-bf16-'));
  for (const name of fs.readdirSync(path.join(FIXTURES, 'llama'))) fs.copyFileSync(path.join(FIXTURES, 'llama', name), path.join(copy, name));
  const single = readSafetensors(path.join(copy, 'model.safetensors'));
  const bf16 = [...single.tensors].map(([name, { shape, data }]) => ({ name, dtype: 'BF16', shape, bytes: new Uint8Array(f32ToBf16(data).buffer) }));
  fs.writeFileSync(path.join(copy, 'model.safetensors'), encodeRawSafetensors(bf16));
  const logitsOf = (folder: string) => {
    const { model } = openPretrained(folder, 'wasm');
    const ids = Int32Array.from([1, 40, 41, 42, 43]);
    const values = tf.tidy(() => {
      const stream = model.embed({ size: 1, length: 5, inputs: ids, targets: ids }, { training: false });
      for (let layer = 0; layer < model.layers; layer++) stream.x = model.block(stream, layer, { training: false });
      return model.logits(stream.x).dataSync() as Float32Array;
    });
    model.dispose();
    return values;
  };
  const difference = maxDifference(logitsOf(copy), logitsOf(path.join(FIXTURES, 'llama')));
  assert.ok(difference > 0 && difference < 0.1, `BF16 against F32 logits: ${difference}`);
});

test('bad folders: each is one line naming the file and what is wrong', async () => {
  await selectBackend('wasm');
  const broken = (mutate: (folder: string) => void) => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'depthlab-hf-'));
    for (const name of fs.readdirSync(path.join(FIXTURES, 'gpt2'))) fs.copyFileSync(path.join(FIXTURES, 'gpt2', name), path.join(folder, name));
    mutate(folder);
    return folder;
  };
  const refused = (folder: string, pattern: RegExp) => assert.throws(() => openPretrained(folder, 'wasm'), (error: Error) => error instanceof UserError && pattern.test(error.message) && !error.message.includes('\n'));
  refused(broken((f) => fs.rmSync(path.join(f, 'model.safetensors.index.json'))), /no weights: expected model\.safetensors or model\.safetensors\.index\.json/);
  refused(broken((f) => fs.writeFileSync(path.join(f, 'tokenizer.json'), '{"model": 3}')), /tokenizer\.json: the tokenizer library cannot read it/);
  refused(broken((f) => fs.truncateSync(path.join(f, 'model-00003-of-00005.safetensors'), 2000)), /model-00003-of-00005\.safetensors: truncated/);
  refused(broken((f) => fs.writeFileSync(path.join(f, 'config.json'), JSON.stringify({ ...readJson(path.join(f, 'config.json')), n_embd: 48 }))), /has shape \[.*\]; config\.json implies/);
  refused(broken((f) => fs.writeFileSync(path.join(f, 'config.json'), JSON.stringify({ ...readJson(path.join(f, 'config.json')), model_type: 't5' }))), /model_type "t5" is not supported; DepthLab opens gpt2, llama, mistral, qwen2, qwen3, olmo2, phi3, gemma2, gemma3_text, gpt_neox, opt, bert, roberta, distilbert/);
  refused(
    broken((f) => {
      const file = path.join(f, 'model-00001-of-00005.safetensors');
      const bytes = fs.readFileSync(file);
      const length = Number(bytes.readBigUInt64LE(0));
      const header = bytes.subarray(8, 8 + length).toString().replace('"F32"', '"Q4" ');
      fs.writeFileSync(file, Buffer.concat([bytes.subarray(0, 8), Buffer.from(header), bytes.subarray(8 + length)]));
    }),
    /model-00001-of-00005\.safetensors: tensor .* has dtype Q4, which safetensors does not define; allowed: F64, F32/,
  );
  refused(
    broken((f) => {
      const file = path.join(f, 'model-00002-of-00005.safetensors');
      const bytes = fs.readFileSync(file);
      const length = Number(bytes.readBigUInt64LE(0));
      const header = JSON.parse(bytes.subarray(8, 8 + length).toString());
      const [, { data_offsets: [begin] }] = Object.entries(header).find(([key, value]) => key !== '__metadata__' && (value as { dtype: string }).dtype === 'F32') as [string, { data_offsets: number[] }];
      bytes.writeFloatLE(NaN, 8 + length + begin + 4 * 3);
      fs.writeFileSync(file, bytes);
    }),
    /model-00002-of-00005\.safetensors: tensor \S+ holds NaN at element 3 \(of \d+\); a model with non-finite weights cannot be measured/,
  );
});

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

test('a model too big for the wasm heap even one layer at a time is refused before a byte of weights is read, saying what it needs; a big vocabulary alone is not', () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'depthlab-big-'));
  for (const name of ['tokenizer.json', 'tokenizer_config.json']) fs.copyFileSync(path.join(FIXTURES, 'gpt2', name), path.join(folder, name));
  const config = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'gpt2', 'config.json'), 'utf8'));
  // In sparse files: BF16 tensors whose float32 size is what counts.
  const write = (tensors: Record<string, number[]>, overrides: Record<string, unknown>) => {
    fs.writeFileSync(path.join(folder, 'config.json'), JSON.stringify({ ...config, ...overrides }));
    let offset = 0;
    const entries = Object.entries(tensors).map(([name, shape]) => {
      const bytes = 2 * shape.reduce((a, b) => a * b, 1);
      offset += bytes;
      return [name, { dtype: 'BF16', shape, data_offsets: [offset - bytes, offset] }];
    });
    const header = Buffer.from(JSON.stringify(Object.fromEntries(entries)));
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(header.length));
    const file = path.join(folder, 'model.safetensors');
    fs.writeFileSync(file, Buffer.concat([length, header]));
    fs.truncateSync(file, 8 + header.length + offset);
  };
  // One layer's feed-forward of 16,384 × 65,536: 4.0 GB as float32, more than the heap on its own.
  write({ 'transformer.h.0.mlp.c_fc.weight': [16_384, 65_536] }, { n_embd: 16_384, n_layer: 1 });
  assert.throws(
    () => openPretrained(folder, 'wasm'),
    (error: Error) => error instanceof UserError && /needs about 4\.4 GB \(4\.0 GB of float32 weights held at once, one layer at a time, plus activations\); the wasm backend holds at most 4\.0 GB\. Install @tensorflow\/tfjs-node.*--backend webgpu/.test(error.message),
  );
  // A 200,000 × 8,192 table (6.1 GB as float32) stays in the file: it is read a block at a time, not refused.
  write({ 'transformer.wte.weight': [200_000, 8192] }, { n_embd: 8192, vocab_size: 200_000 });
  const files = openWeights(folder);
  assert.equal(streamsLayers('wasm', files), true);
  assert.deepEqual(refuseWhatCannotFit(folder, files, readPretrainedConfig(folder), 'wasm'), { weightBytes: 64 * 2 ** 20, totalBytes: 464 * 2 ** 20, what: 'of float32 weights held at once, one layer at a time' });
  fs.rmSync(folder, { recursive: true, force: true });
});

test('GPT-2 saved from the bare model (no transformer. prefix) with attn.bias buffers opens, matches, and exports its buffers renamed', async () => {
  await selectBackend('wasm');
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'depthlab-bare-'));
  const source = path.join(FIXTURES, 'gpt2');
  for (const name of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) fs.copyFileSync(path.join(source, name), path.join(folder, name));
  const files = openWeights(source);
  const tensors = [...files.entries.values()].map((entry) => ({ name: entry.name.replace(/^transformer\./, ''), dtype: entry.dtype, shape: entry.shape, bytes: new Uint8Array(readRawWeight(files, entry)) }));
  // The causal-mask buffers older GPT-2 checkpoints carry: not weights, kept as they are.
  for (let layer = 0; layer < 4; layer++) tensors.push({ name: `h.${layer}.attn.bias`, dtype: 'BOOL', shape: [1, 1, 2, 2], bytes: Uint8Array.of(1, 0, 1, 1) });
  fs.writeFileSync(path.join(folder, 'model.safetensors'), encodeRawSafetensors(tensors));
  const expected = require(path.join(source, 'reference.json')) as { ids: number[] };
  const { model } = openPretrained(folder, 'wasm');
  const ids = Int32Array.from(expected.ids);
  const logits = tf.tidy(() => {
    const stream = model.embed({ size: 1, length: ids.length, inputs: ids, targets: ids }, { training: false });
    for (let layer = 0; layer < 4; layer++) stream.x = model.block(stream, layer, { training: false });
    return model.logits(stream.x).dataSync() as Float32Array;
  });
  model.dispose();
  assert.ok(maxDifference(logits, readSafetensors(path.join(source, 'reference.safetensors')).tensors.get('logits')!.data) < 1e-4);
  const { out } = await exportModelJob({ folder, layers: [0, 3], tokens: 512, window: 32 }, { backend: 'wasm' });
  const exported = openWeights(out);
  assert.deepEqual([...exported.entries.keys()].filter((name) => name.endsWith('.attn.bias')).sort(), ['h.0.attn.bias', 'h.1.attn.bias']);
  assert.ok(exported.entries.has('h.1.mlp.c_fc.weight') && !exported.entries.has('h.2.mlp.c_fc.weight'));
});

test('a model streamed one layer at a time (each layer read from the file when used, the tables left there) computes what the whole model computes', async () => {
  await selectBackend('wasm');
  const ids = Int32Array.from([1, 40, 41, 42, 43, 7, 9, 11]);
  const batches: Batch[] = [0, 1].map((shift) => ({ size: 1, length: 6, inputs: ids.slice(shift, shift + 6), targets: ids.slice(shift + 1, shift + 7) }));
  for (const family of FIXTURE_FAMILIES) {
    const measured = (stream: boolean) => {
      const { model } = openPretrained(path.join(FIXTURES, family), 'wasm', stream);
      try {
        const logits = tf.tidy(() => {
          const stream = model.embed(batches[0], { training: false });
          for (let layer = 0; layer < model.layers; layer++) stream.x = model.block(stream, layer, { training: false });
          return model.logits(stream.x).dataSync() as Float32Array;
        });
        const norms = Array.from({ length: model.layers }, (_, layer) => model.layerWeights(layer).map((weight) => weight.shape.join('×')));
        if (model.objective !== 'causal-lm') return { logits, norms };
        // Timings aside, the whole analysis: importance, angular distances, every strategy's sweep.
        const analysis = JSON.parse(JSON.stringify(measureDepth(model, batches, {}), (key, value) => (/ms|tokensPerSecond/i.test(key) ? undefined : value)));
        return { logits, norms, analysis };
      } finally {
        model.dispose();
      }
    };
    assert.deepEqual(measured(true), measured(false), family);
  }
});

test('a streamed model whose vocabulary tables stay in the file reads the head once a batch for all the sub-networks of a walk, and measures what the resident model measures', async () => {
  await selectBackend('wasm');
  const ids = Int32Array.from([1, 40, 41, 42, 43, 7, 9, 11]);
  const batches: Batch[] = [0, 1].map((shift) => ({ size: 1, length: 6, inputs: ids.slice(shift, shift + 6), targets: ids.slice(shift + 1, shift + 7) }));
  const withoutTimes = (analysis: unknown) => JSON.parse(JSON.stringify(analysis, (key, value) => (/ms|tokensPerSecond/i.test(key) ? undefined : value)));
  for (const family of FIXTURE_FAMILIES) {
    const folder = path.join(FIXTURES, family);
    const config = readPretrainedConfig(folder);
    const inFile = familyOf(config).open(config, new PretrainedWeights(openWeights(folder), familyOf(config).basePrefix(config), true, 0));
    const { model: resident } = openPretrained(folder, 'wasm', false);
    try {
      if (inFile.objective !== 'causal-lm') continue;
      const head = [...inFile.weights.tables.values()].at(-1)!;
      assert.ok((inFile.readoutRows ?? 0) > 1, family);
      // The full network and the N without one layer: N + 1 readouts, one pass over the head.
      const before = head.blocksRead;
      runBatchTask(inFile, batches[0], { kind: 'layer-statistics' });
      assert.equal(head.blocksRead - before, head.blockCount, `${family}: blocks read for ${inFile.layers + 1} readouts`);
      const numbers = (model: LayeredModel) => [
        ...runBatchTask(model, batches[1], { kind: 'layer-statistics' }),
        ...runBatchTask(model, { ...batches[0], spans: Int32Array.of(2, 6) }, { kind: 'choices', subnetworks: [[0], [0, 1], [1]] }),
      ];
      const expected = numbers(resident);
      numbers(inFile).forEach((value, i) => assert.ok(Math.abs(value - expected[i]) <= 1e-5 * Math.max(1, Math.abs(expected[i])), `${family}[${i}]: ${value} against ${expected[i]}`));
      const [grouped, alone] = [inFile, resident].map((model) => withoutTimes(measureDepth(model, batches, {})));
      assertCloseTree(grouped, alone, 1e-5, family);
    } finally {
      inFile.dispose();
      resident.dispose();
    }
  }
});

test("a model that with its evaluation threads would pass the machine's memory is refused up front, saying how many threads fit", () => {
  const folder = path.join(FIXTURES, 'gpt2');
  const files = openWeights(folder);
  const config = readPretrainedConfig(folder);
  // The tiny fixture needs about 0.4 GB a thread, nearly all of it the activations' headroom.
  const { totalBytes } = refuseWhatCannotFit(folder, files, config, 'wasm', 4, 2 * 2 ** 30);
  const refusal = (threads: number, machineBytes: number) => {
    try {
      refuseWhatCannotFit(folder, files, config, 'wasm', threads, machineBytes);
    } catch (error) {
      assert.ok(error instanceof UserError);
      return error.message;
    }
    return undefined;
  };
  const gbText = (bytes: number) => (bytes / 2 ** 30).toFixed(1);
  assert.equal(
    refusal(4, 2 ** 30),
    `${folder}: needs about ${gbText(4 * totalBytes)} GB of memory (0.0 GB weights as float32, plus activations; its 3 other evaluation threads, one layer at a time, add ${gbText(3 * totalBytes)} GB); this machine has 1.0 GB. --threads 2 fits (${gbText(2 * totalBytes)} GB).`,
  );
  assert.match(refusal(1, 0.25 * 2 ** 30)!, /needs about 0\.4 GB of memory \(0\.0 GB weights as float32, plus activations\); this machine has 0\.3 GB\. Run on a GPU \(--backend webgpu\), whose memory holds the weights\.$/);
  assert.equal(refusal(1, 2 ** 30), undefined);
});

test('a shard cut short after the model opened: the layer or the table rows read from it fail with one error naming the tensor', async () => {
  await selectBackend('wasm');
  const folder = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'depthlab-cut-')), 'gpt2');
  fs.cpSync(path.join(FIXTURES, 'gpt2'), folder, { recursive: true });
  const { model } = openPretrained(folder, 'wasm', true);
  try {
    const files = openWeights(folder);
    const entry = files.entries.get('h.1.mlp.c_fc.weight') ?? files.entries.get('transformer.h.1.mlp.c_fc.weight')!;
    fs.truncateSync(path.join(folder, entry.file), entry.begin + 4);
    assert.throws(
      () => model.layerWeights(1),
      (error: Error) => error instanceof UserError && new RegExp(`${entry.file}: truncated: tensor ${entry.name.replace(/\./g, '\\.')} ends at byte ${entry.end}, the file ends at ${entry.begin + 4}$`).test(error.message),
    );
    // A vocabulary table's rows, read from the file as a streamed model reads its big tables.
    const table = files.entries.get('wte.weight') ?? files.entries.get('transformer.wte.weight')!;
    fs.truncateSync(path.join(folder, table.file), table.begin + 4);
    assert.throws(() => readFloatRows(files, table.name, Int32Array.from([0, 1])), (error: Error) => error instanceof UserError && error.message.includes(`truncated: tensor ${table.name} ends at byte ${table.end}`));
  } finally {
    model.dispose();
    fs.rmSync(path.dirname(folder), { recursive: true, force: true });
  }
});

test('OPT, the transformers family trained with LayerDrop: its rate goes into the analysis, the explorer and the text', async () => {
  await selectBackend('wasm');
  const folder = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'depthlab-opt-')), 'opt');
  fs.cpSync(path.join(FIXTURES, 'opt'), folder, { recursive: true });
  const result = await analyzeModelJob({ folder, tokens: 512, window: 64 }, { backend: 'wasm' });
  assert.equal(result.analysis.layerdrop, 0.1);
  assert.equal(modelSnapshot(folder)!.layerdropRate, 0.1);
  assert.match(modelAnalysisText(result), /^trained with LayerDrop 0\.1 \(config\.json "layerdrop"\); the paper's rate for this target: p\* = 1 - 2\/4 = 0\.50$/m);
});

test("each decoder's windows open as its tokenizer opens a text: BOS for Gemma and OPT, nothing for GPT-2 and GPT-NeoX", () => {
  const text = fs.readFileSync(path.join(__dirname, '..', 'dist', 'data', 'moby-dick.txt'), 'utf8').slice(0, 4000);
  const opening = (family: string) => {
    const tokenizer = PretrainedTokenizer.open(path.join(FIXTURES, family));
    const [batch] = textBatches(text, tokenizer, 'causal-lm', { tokens: 64, window: 32, batchSize: 1, seed: 1 });
    return { first: batch.inputs[0], plain: tokenizer.encodePlain(text)[0], bos: tokenizer.specialTokens.bos };
  };
  for (const family of ['gemma2', 'opt', 'llama']) {
    const { first, bos } = opening(family);
    assert.equal(first, bos, `${family} opens with its BOS`);
  }
  for (const family of ['gpt2', 'gpt_neox']) {
    const { first, plain } = opening(family);
    assert.equal(first, plain, `${family}'s tokenizer adds nothing before a text`);
  }
});

test("a new family's config missing a field it needs, or a shape DepthLab does not compute: one line naming it", async () => {
  await selectBackend('wasm');
  const without = (family: string, change: (config: Record<string, unknown>) => void) => {
    const folder = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'depthlab-field-')), family);
    fs.cpSync(path.join(FIXTURES, family), folder, { recursive: true });
    const config = readJson(path.join(folder, 'config.json'));
    change(config);
    fs.writeFileSync(path.join(folder, 'config.json'), JSON.stringify(config));
    return folder;
  };
  const refused = (folder: string, pattern: RegExp) => assert.throws(() => openPretrained(folder, 'wasm'), (error: Error) => error instanceof UserError && pattern.test(error.message) && !error.message.includes('\n'));
  refused(without('opt', (c) => delete c.ffn_dim), /config\.json: "ffn_dim" must be a number \(missing\)/);
  refused(without('gemma2', (c) => delete c.query_pre_attn_scalar), /config\.json: "query_pre_attn_scalar" must be a number \(missing\)/);
  refused(without('opt', (c) => (c.word_embed_proj_dim = 16)), /"word_embed_proj_dim" 16 differs from "hidden_size" 32 \(OPT-350m's project_in\/out\)/);
  refused(without('phi3', (c) => (c.rope_parameters = { rope_type: 'yarn', rope_theta: 10000 })), /rope type "yarn" is not one DepthLab implements \(default, linear, llama3, longrope\)/);
});

test('an analysis asked for some strategies sweeps those and the chosen one, numbering its sweeps among them', async () => {
  await selectBackend('wasm');
  const ids = Int32Array.from([1, 40, 41, 42, 43, 7, 9, 11]);
  const batches: Batch[] = [0, 1].map((shift) => ({ size: 1, length: 6, inputs: ids.slice(shift, shift + 6), targets: ids.slice(shift + 1, shift + 7) }));
  const { model } = openPretrained(path.join(FIXTURES, 'llama'), 'wasm');
  try {
    const phases: string[] = [];
    const onEvent = (event: EngineEvent) => event.type === 'phase' && event.phase === 'sweep' && phases.push(`${event.part}/${event.of} ${event.detail.split(' ')[0]}`);
    const measured = measureDepth(model, batches, { strategy: 'every-other' }, { strategies: ['spread'], onEvent });
    assert.deepEqual(Object.keys(measured.sweeps), ['every-other', 'spread']);
    assert.deepEqual(phases, ['1/2 every-other', '2/2 spread']);
  } finally {
    model.dispose();
  }
});

test('--search-width bounds search-on-valid to the k weakest removals a round, said before it starts', async () => {
  await selectBackend('wasm');
  const folder = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'depthlab-width-')), 'llama');
  fs.cpSync(path.join(FIXTURES, 'llama'), folder, { recursive: true });
  const notices: string[] = [];
  const onEvent = (event: EngineEvent) => event.type === 'notice' && notices.push(event.text);
  const result = await analyzeModelJob({ folder, tokens: 512, window: 64, strategy: 'search-on-valid', target: 2, searchWidth: 2 }, { backend: 'wasm', onEvent });
  assert.ok(notices.some((text) => /^search-on-valid: 3 rounds of at most 2 removals \(the weakest by loss increase\)/.test(text)), notices.join('\n'));
  assert.equal(result.analysis.keep.length, 2);
});
