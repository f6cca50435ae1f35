import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeMeta } from '../checkpoint/modelCheckpoint';
import { readSafetensors, writeSafetensors } from '../checkpoint/safetensors';
import { writeFileAtomic, writeJsonAtomic } from '../files/atomicWrite';
import type { RunPaths } from '../run/runPaths';
import { fairseqFlags, huggingFaceConfig } from './interop';
import { prunedCheckpoint } from './prunedCheckpoint';
import { mapsToGpt2, writeGpt2Folder } from './gpt2Folder';
import { UserError } from '../errors';
import { configFileName } from '../config/configFileName';
import { requireCheckpoint } from '../run/checkpointFiles';
import type { LayerBlock } from '../model/layerParts';

/** Why a cut that leaves out single blocks goes to DepthLab's own format only. */
const NO_BLOCK_KEY = (tool: string) => `${tool} has no config key that leaves out one layer's attention or MLP (model.skipBlocks)`;

export interface ExportResult {
  dir: string;
  checkpoint: string;
  config: string;
  /** A tied-head language model: the GPT-2 folder transformers loads (GPT2LMHeadModel.from_pretrained). */
  huggingFaceFolder?: string;
  fairseq: { flag: string; modelOverrides: string };
  huggingFace: Record<string, number>;
}

/**
 * Write the pruned model: model.safetensors (layers renumbered), `<name>-keep-….depthlab.json` (its
 * config, named so the editor's schema and CodeLens apply, data paths re-pointed from the new
 * folder) and fairseq.txt; then, for a tied-head language model, `huggingface/` (a GPT-2 folder that
 * transformers loads), else hf-config.json, the fields to carry into a config of your own.
 */
export function exportRun(run: RunPaths, keep: number[], sourceConfig: string, outDir = path.join(run.exportDir, `keep-${keep.join('-')}`), skipBlocks: readonly LayerBlock[] = []): ExportResult {
  const configDir = path.dirname(sourceConfig);
  if (fs.existsSync(outDir) && !fs.statSync(outDir).isDirectory()) throw new UserError(`${outDir} is a file; allowed for --out: a folder (new or existing)`);
  const { model } = requireCheckpoint(run);
  const pruned = prunedCheckpoint(readSafetensors(model), keep, model, skipBlocks);
  const { config, vocab } = decodeMeta(model, pruned.metadata);
  const repoint = (file?: string) => (file === undefined ? undefined : path.relative(outDir, path.resolve(configDir, file)));
  const name = `${config.name ?? path.basename(sourceConfig).replace(/\.depthlab\.json$|\.json$/, '')}-keep-${keep.join('-')}`;
  const exportedConfig = { ...config, name, data: { ...config.data, train: repoint(config.data.train), valid: repoint(config.data.valid) } };
  const checkpoint = path.join(outDir, 'model.safetensors');
  const configFile = path.join(outDir, configFileName(name));
  writeSafetensors(checkpoint, pruned);
  writeJsonAtomic(configFile, exportedConfig);
  const fairseq = fairseqFlags(config.task, keep);
  const huggingFace = huggingFaceConfig(config.task, keep.length, config.layerdrop.rate);
  writeFileAtomic(
    path.join(outDir, 'fairseq.txt'),
    `# The same sub-network of the unpruned model, in fairseq's terms\n${fairseq.flag}\n${fairseq.modelOverrides}\n${config.model.skipBlocks ? `# ${NO_BLOCK_KEY('fairseq')}\n` : ''}`,
  );
  if (config.model.skipBlocks) {
    writeJsonAtomic(path.join(outDir, 'hf-config.json'), { note: `${NO_BLOCK_KEY('transformers')}: no Hugging Face folder is written.`, ...huggingFace });
    return { dir: outDir, checkpoint, config: configFile, fairseq, huggingFace };
  }
  if (mapsToGpt2(config, pruned.tensors)) {
    const huggingFaceFolder = path.join(outDir, 'huggingface');
    writeGpt2Folder(huggingFaceFolder, pruned, config, vocab);
    return { dir: outDir, checkpoint, config: configFile, fairseq, huggingFace, huggingFaceFolder };
  }
  writeJsonAtomic(path.join(outDir, 'hf-config.json'), {
    note: `A fragment, not a loadable config: no Hugging Face architecture uses DepthLab's tensor names for ${
      config.task === 'language-model' ? 'a language model with an output bias (model.headBias; GPT-2 has none)' : 'a classifier'
    }. Carry these fields into your own config.json.`,
    ...huggingFace,
  });
  return { dir: outDir, checkpoint, config: configFile, fairseq, huggingFace };
}
