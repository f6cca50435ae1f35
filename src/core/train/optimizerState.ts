import * as tf from '../backend/tf';
import { UserError } from '../errors';
import type { DropCounters } from '../statistics/dropStatistics';
import type { AdamW } from './adamW';
import type { LearnedRatesState } from './learnedDropRates';
import { metadataJson, readSafetensors, writeSafetensors, type NamedTensor } from '../checkpoint/safetensors';

const FORMAT = 'depthlab-optimizer/1';

/** What resuming needs beyond the weights: Adam moments and step counts, the RNG, the drop counters, a learned schedule's scorer. */
export interface TrainingState extends TrainingRecord {
  step: number;
  rngState: number;
}

/** What a run's analysis reads of its training: the drop counters, and the scorer when the rates were learned. */
export interface TrainingRecord {
  counters: DropCounters;
  learned?: LearnedRatesState;
}

export function saveOptimizerState(file: string, optimizer: AdamW, state: TrainingState): void {
  const tensors = new Map<string, NamedTensor>();
  for (const [prefix, store] of [['exp_avg', optimizer.firstMoments], ['exp_avg_sq', optimizer.secondMoments]] as const) {
    for (const [name, value] of store) tensors.set(`${prefix}.${name}`, { shape: value.shape, data: value.dataSync() as Float32Array });
  }
  writeSafetensors(file, {
    tensors,
    metadata: {
      format: FORMAT,
      step: String(state.step),
      rng: String(state.rngState),
      adamSteps: JSON.stringify(Object.fromEntries(optimizer.steps)),
      counters: JSON.stringify(state.counters),
      ...(state.learned && { learnedRates: JSON.stringify(state.learned) }),
    },
  });
}

export function loadOptimizerState(file: string, optimizer: AdamW): TrainingState {
  const { tensors, metadata } = readSafetensors(file);
  if (metadata.format !== FORMAT) throw new UserError(`${file} is not a DepthLab optimizer state`);
  const adamSteps = metadataJson<Record<string, number>>(file, metadata, 'adamSteps');
  for (const [name, { shape, data }] of tensors) {
    const [prefix, ...rest] = name.split('.');
    const param = rest.join('.');
    optimizer.restore(prefix === 'exp_avg' ? 'first' : 'second', param, tf.tensor(data, shape), adamSteps[param]);
  }
  return { step: Number(metadata.step), rngState: Number(metadata.rng), ...trainingRecord(file, metadata) };
}

/** The training record saved with a run's last checkpoint, without loading the moments. */
export function readTrainingRecord(file: string): TrainingRecord {
  const { metadata } = readSafetensors(file);
  if (metadata.format !== FORMAT) throw new UserError(`${file} is not a DepthLab optimizer state`);
  return trainingRecord(file, metadata);
}

function trainingRecord(file: string, metadata: Record<string, string>): TrainingRecord {
  const counters = metadataJson<DropCounters>(file, metadata, 'counters');
  return metadata.learnedRates === undefined ? { counters } : { counters, learned: metadataJson<LearnedRatesState>(file, metadata, 'learnedRates') };
}
