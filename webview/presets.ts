import type { ImportanceMetric } from '../src/core/config/choices';
import { everyOther } from '../src/core/prune/everyOther';
import { topByScore } from '../src/core/prune/importanceRanking';
import { importanceScores } from '../src/core/statistics/importanceScores';
import type { RunSnapshot } from '../src/core/run/runSnapshot';

export type Preset = 'every-other' | 'top-k' | 'sweep' | 'all';

export interface PresetContext {
  layers: number;
  target: number;
  metric: ImportanceMetric;
  /** The run's statistics, when the run has the same depth as the list being picked. */
  snapshot?: Pick<RunSnapshot, 'importance' | 'sweep'>;
}

/** The layers a preset keeps at the target depth, or undefined when the run has not measured what it needs. */
export function presetLayers(preset: Preset, { layers, target, metric, snapshot }: PresetContext): number[] | undefined {
  switch (preset) {
    case 'every-other':
      return everyOther(layers, target);
    case 'all':
      return Array.from({ length: layers }, (_, l) => l);
    case 'top-k':
      return snapshot?.importance ? topByScore(importanceScores(snapshot.importance.layers, metric), target) : undefined;
    case 'sweep':
      return snapshot?.sweep?.rows.find((row) => row.depth === target)?.layers;
  }
}
