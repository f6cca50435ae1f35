import * as fs from 'node:fs';
import * as path from 'node:path';
import { runsTransformers } from '../src/core/backend/backends';
import { activeBackend } from '../src/core/backend/selectBackend';
import { TorchEngine } from '../src/core/backend/torchEngine';
import type { PretrainedModel } from '../src/core/huggingface/pretrainedModel';
import { readPretrainedConfig } from '../src/core/huggingface/pretrainedConfig';
import { liveAnswers } from '../src/core/huggingface/torchAnswers';
import { TorchPretrainedModel } from '../src/core/huggingface/torchPretrained';
import { analyzeModelJob } from '../src/core/jobs/analyzeModelJob';

/** A bench folder's model on the active backend: DepthLab's own (`native`), or transformers' in the chosen Python on the torch backend. */
export function openBenchModel(folder: string, native: () => PretrainedModel): PretrainedModel {
  if (!runsTransformers(activeBackend()?.backend ?? '')) return native();
  const { engine, description } = TorchEngine.open({ folder, objective: 'causal-lm' });
  return new TorchPretrainedModel(readPretrainedConfig(folder), liveAnswers(engine), description);
}

/** The GPT-2 fixture's tokenizer, copied into a bench folder of random weights: any ids below its vocabulary fit. */
export function withFixtureTokenizer(folder: string): void {
  for (const file of ['tokenizer.json', 'tokenizer_config.json']) fs.copyFileSync(path.join(__dirname, '..', 'test', 'fixtures', 'huggingface', 'gpt2', file), path.join(folder, file));
}

/** The default analysis of a bench folder at `tokens` tokens (every strategy, search-on-valid bounded as under a budget), timed; the fixture's GPT-2 tokenizer gives it ids. */
export async function analysisSeconds(folder: string, backend: string, tokens: number) {
  withFixtureTokenizer(folder);
  const started = performance.now();
  const { analysis } = await analyzeModelJob({ folder, tokens, searchWidth: 4 }, { backend: backend as never });
  fs.rmSync(path.join(folder, '.depthlab'), { recursive: true, force: true });
  return { tokens: analysis.data.tokens, window: analysis.data.window, seconds: +((performance.now() - started) / 1000).toFixed(1) };
}
