import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeMeta } from '../checkpoint/modelCheckpoint';
import { readSafetensors, writeSafetensors } from '../checkpoint/safetensors';
import { writeFileAtomic, writeJsonAtomic } from '../files/atomicWrite';
import type { RunPaths } from '../run/runPaths';
import { fairseqFlags, huggingFaceConfig } from './interop';
import { prunedCheckpoint } from './prunedCheckpoint';
import { UserError } from '../errors';
import { requireCheckpoint } from '../run/checkpointFiles';

export interface ExportResult {
  dir: string;
  checkpoint: string;
  config: string;
  fairseq: { flag: string; modelOverrides: string };
  huggingFace: Record<string, number>;
}

/**
 * Write the pruned model: model.safetensors (layers renumbered), depthlab.json (its config, data
 * paths re-pointed from the new folder), fairseq.txt and hf-config.json.
 */
export function exportRun(run: RunPaths, keep: number[], configDir: string, outDir = path.join(run.exportDir, `keep-${keep.join('-')}`)): ExportResult {
  if (fs.existsSync(outDir) && !fs.statSync(outDir).isDirectory()) throw new UserError(`${outDir} is a file; allowed for --out: a folder (new or existing)`);
  const { model } = requireCheckpoint(run);
  const pruned = prunedCheckpoint(readSafetensors(model), keep, model);
  const { config } = decodeMeta(model, pruned.metadata);
  const repoint = (file?: string) => (file === undefined ? undefined : path.relative(outDir, path.resolve(configDir, file)));
  const exportedConfig = { ...config, data: { ...config.data, train: repoint(config.data.train), valid: repoint(config.data.valid) } };
  const checkpoint = path.join(outDir, 'model.safetensors');
  const configFile = path.join(outDir, 'depthlab.json');
  writeSafetensors(checkpoint, pruned);
  writeJsonAtomic(configFile, exportedConfig);
  const fairseq = fairseqFlags(config.task, keep);
  const huggingFace = huggingFaceConfig(config.task, keep.length, config.layerdrop.rate);
  writeFileAtomic(
    path.join(outDir, 'fairseq.txt'),
    `# The same sub-network of the unpruned model, in fairseq's terms\n${fairseq.flag}\n${fairseq.modelOverrides}\n`,
  );
  writeJsonAtomic(path.join(outDir, 'hf-config.json'), huggingFace);
  return { dir: outDir, checkpoint, config: configFile, fairseq, huggingFace };
}
