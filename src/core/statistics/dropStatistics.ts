/** Per-layer LayerDrop counters a run keeps while it trains (and stores with its optimizer state). */
export interface DropCounters {
  steps: number;
  timesDropped: number[];
  /** Sum and count of each layer's gradient norm over the steps it was active. */
  gradNormSum: number[];
  gradNormCount: number[];
}

export interface LayerDropStatistics {
  layer: number;
  configuredRate: number;
  empiricalRate: number;
  timesDropped: number;
  meanGradNorm: number;
  /** Schedule "learned" only: the learned rate, averaged over validation data. */
  learnedRate?: number;
}

export function emptyCounters(layers: number): DropCounters {
  return { steps: 0, timesDropped: new Array(layers).fill(0), gradNormSum: new Array(layers).fill(0), gradNormCount: new Array(layers).fill(0) };
}

export function recordStep(counters: DropCounters, active: readonly number[], layerGradNorm: (layer: number) => number): void {
  counters.steps++;
  const isActive = new Set(active);
  counters.timesDropped.forEach((_, layer) => {
    if (!isActive.has(layer)) {
      counters.timesDropped[layer]++;
      return;
    }
    const norm = layerGradNorm(layer);
    if (Number.isFinite(norm)) {
      counters.gradNormSum[layer] += norm;
      counters.gradNormCount[layer]++;
    }
  });
}

export function dropStatistics(counters: DropCounters, configuredRates: readonly number[], learnedRates?: readonly number[]): LayerDropStatistics[] {
  return configuredRates.map((configuredRate, layer) => ({
    ...(learnedRates && { learnedRate: learnedRates[layer] }),
    layer,
    configuredRate,
    empiricalRate: counters.steps ? counters.timesDropped[layer] / counters.steps : 0,
    timesDropped: counters.timesDropped[layer],
    meanGradNorm: counters.gradNormCount[layer] ? counters.gradNormSum[layer] / counters.gradNormCount[layer] : 0,
  }));
}
