import { SlidingWindows } from '../model/attentionMasks';
import type { PretrainedConfig } from './pretrainedConfig';

/**
 * A config's sliding-window attention: the window (`sliding_window`) and which layers use it, as
 * `layer_types` says (transformers 5 writes it for every family with sliding layers). Configs
 * without it follow the family's own older rule, `legacy`.
 */
export function slidingWindows(config: PretrainedConfig, legacy: (layer: number) => boolean): SlidingWindows {
  const raw = config.raw;
  const window = typeof raw.sliding_window === 'number' ? raw.sliding_window : Infinity;
  const types = Array.isArray(raw.layer_types) ? raw.layer_types : undefined;
  const sliding = Array.from({ length: config.layers }, (_, l) => window !== Infinity && (types ? types[l] === 'sliding_attention' : legacy(l)));
  return new SlidingWindows(window, sliding);
}
