import * as os from 'node:os';
import * as path from 'node:path';
import type { ResolvedBackend } from '../src/core/backend/backendDescription';
import { selectBackend } from '../src/core/backend/selectBackend';
import * as tf from '../src/core/backend/tf';
import { parseConfig } from '../src/core/config/loadConfig';
import { loadDataset } from '../src/core/data/loadDataset';
import { crossEntropy } from '../src/core/ops/crossEntropy';
import { gatherRows } from '../src/core/ops/gatherRows';
import { linear } from '../src/core/ops/linear';
import { oneHotFloat } from '../src/core/ops/oneHot';
import { benchChild, lastLine } from './benchChild';
import { REFERENCE } from './referenceConfig';
import { log, median, msOf } from './timing';

/** How a model turns token ids into vectors and scores its predictions: the engine's, and the one-hot form it replaced. */
const VOCABULARY_FORMS = {
  gather: (table: tf.Tensor2D, head: tf.Tensor2D, ids: Int32Array, targets: Int32Array) => crossEntropy(linear(gatherRows(table, ids), head), targets),
  'one-hot': (table: tf.Tensor2D, head: tf.Tensor2D, ids: Int32Array, targets: Int32Array) => {
    const onehot = (t: Int32Array, depth: number) => oneHotFloat(tf.tensor1d(t, 'int32'), depth);
    const logits = linear(linear(onehot(ids, table.shape[0]), table), head);
    return tf.neg(tf.mean(tf.sum(onehot(targets, table.shape[0]).mul(tf.logSoftmax(logits)), -1))) as tf.Scalar;
  },
};

const VOCABULARIES = { reference: 0, 'gpt-2': 50_257 };
export type VocabularyCase = { form: keyof typeof VOCABULARY_FORMS; vocabulary: keyof typeof VOCABULARIES };

/**
 * The part of a training step whose cost grows with the vocabulary: embedding lookup, LM head and
 * loss, forward and backward, on one reference batch (2,048 tokens, dModel 128), in one form at one
 * vocabulary. Peak bytes are TF.js's own count (tf.profile). Each case runs in its own process: a
 * form that exhausts the wasm heap leaves it unusable, so the parent records the crash instead.
 */
export async function vocabularyProbe(backend: ResolvedBackend, { form, vocabulary }: VocabularyCase) {
  await selectBackend(backend);
  const loaded = parseConfig(JSON.stringify(REFERENCE), path.join(os.tmpdir(), 'reference.depthlab.json'));
  const config = loaded.config;
  const vocab = VOCABULARIES[vocabulary] || loadDataset(loaded).tokenizer.vocabSize;
  const tokens = config.train.batchSize * config.model.seqLen;
  const ids = Int32Array.from({ length: tokens }, (_, i) => (i * 7919) % vocab);
  const targets = Int32Array.from({ length: tokens }, (_, i) => (i * 104_729 + 1) % vocab);
  const table = tf.variable(tf.randomNormal<tf.Rank.R2>([vocab, config.model.dModel], 0, 0.02));
  const head = tf.variable(tf.randomNormal<tf.Rank.R2>([config.model.dModel, vocab], 0, 0.02));
  const run = () => {
    const { value, grads } = tf.tidy(() => tf.variableGrads(() => VOCABULARY_FORMS[form](table, head, ids, targets), [table, head]));
    value.dataSync();
    tf.dispose([value, grads]);
  };
  const { peakBytes } = await tf.profile(run);
  const ms = median(Array.from({ length: 3 }, () => msOf(run)));
  return { vocab, tokensPerSecond: Math.round((tokens * 1000) / ms), peakMB: +(peakBytes / 2 ** 20).toFixed(1) };
}

/** Every form at every vocabulary, each in a child process; a case that crashes is reported with its error line. */
export function vocabularyCosts(backend: ResolvedBackend) {
  const results: Record<string, unknown> = {};
  for (const vocabulary of Object.keys(VOCABULARIES) as VocabularyCase['vocabulary'][]) {
    for (const form of Object.keys(VOCABULARY_FORMS) as VocabularyCase['form'][]) {
      const run = benchChild(['--child', backend, '--vocabulary', `${form}@${vocabulary}`]);
      const key = `${form} @ ${vocabulary}`;
      // Emscripten's abort() is how the wasm heap reports a failed allocation.
      const error = run.stderr.includes('Aborted()') ? 'out of memory: the wasm heap aborted' : lastLine(run.stderr);
      results[key] = run.status === 0 ? JSON.parse(run.stdout) : { error };
      log(`${backend}: vocabulary ${key}: ${JSON.stringify(results[key])}`);
    }
  }
  return results;
}
