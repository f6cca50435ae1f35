import * as path from 'node:path';
import { saveModelCheckpoint } from '../checkpoint/modelCheckpoint';
import type { HealPart } from '../config/choices';
import { evaluate } from '../evaluate/evaluate';
import { layerOfParameter } from '../model/parameters';
import { chooseLayers, type LayerChoice } from '../prune/chooseLayers';
import { Rng } from '../random/rng';
import { healFolder, writeHealRecord, type HealRecord } from '../run/runFiles';
import { validationBatches } from '../run/openModel';
import { adamWFor } from '../train/adamW';
import { applyGradients, computeGradients } from '../train/trainingStep';
import type { JobContext } from './jobContext';
import { progressReporter } from './progressReporter';
import { choiceContext } from '../analysis/trainedRun';
import { withTrainedRun, type RunRequest } from './openRun';

export interface HealJobRequest extends RunRequest, LayerChoice {
  /** Finetuning steps (default 100). */
  steps?: number;
  /** What is trained: every weight the sub-network uses, or only its feed-forward blocks. */
  part?: HealPart;
}

export interface HealJobResult extends HealRecord {
  runId: string;
  /** The run's model with the kept layers healed, every layer still in it. */
  checkpoint: string;
}

/**
 * Heal a pruned sub-network: finetune exactly the kept layers (always active, no LayerDrop) for K
 * steps at a tenth of the config's learning rate, all their weights or the feed-forward blocks
 * only, and report the validation loss before and after on the same batches. The run's own
 * checkpoint is left as it is; the healed model is written beside it.
 */
export function healJob(request: HealJobRequest, context: JobContext): Promise<HealJobResult> {
  return withTrainedRun(request, context, (trained, loaded) => {
    const { model, dataset, config } = trained.opened;
    const batches = validationBatches(trained.opened);
    const keep = chooseLayers(choiceContext(trained, batches), request, loaded.config.layersToKeep);
    const steps = request.steps ?? 100;
    const part = request.part ?? 'all';
    const kept = new Set(keep);
    const trains = (name: string) => {
      const layer = layerOfParameter(name);
      return part === 'all' ? layer === undefined || kept.has(layer) : layer !== undefined && kept.has(layer) && name.includes('.ffn.');
    };
    const before = evaluate(model, batches, keep);
    const optimizer = adamWFor(model, config.train.weightDecay);
    const rng = new Rng(config.train.seed + 1);
    const tick = progressReporter('heal', 'steps', steps, context.onEvent);
    try {
      for (let step = 0; step < steps; step++) {
        const { grads } = computeGradients(model, dataset.trainBatch(rng, config.train.batchSize), keep, rng);
        for (const [name, grad] of grads) {
          if (!trains(name)) {
            grad.dispose();
            grads.delete(name);
          }
        }
        applyGradients(model, optimizer, grads, config.train.lr / 10, config.train.clipNorm);
        tick();
      }
    } finally {
      optimizer.dispose();
    }
    const after = evaluate(model, batches, keep);
    const record = { keep, steps, part, before, after, createdAt: new Date().toISOString() };
    const checkpoint = path.join(healFolder(trained.paths, record), 'model.safetensors');
    saveModelCheckpoint(checkpoint, model, { config, vocab: [...dataset.tokenizer.vocab], labels: dataset.labels, step: trained.opened.step });
    writeHealRecord(trained.paths, record);
    return { runId: trained.paths.id, ...record, checkpoint };
  }, { changesWeights: true });
}
