import type { LayerStatistics } from './importance';

/** The loss increase a layer is ranked by: the exact one where measured, else its first-order estimate. */
export const decidingIncrease = (layer: LayerStatistics): number => layer.lossIncrease ?? layer.lossIncreaseEstimate!;

/** The standard error of `decidingIncrease`. */
export const decidingStdErr = (layer: LayerStatistics): number | undefined => (layer.lossIncrease === undefined ? layer.lossIncreaseEstimateStdErr : layer.lossIncreaseStdErr);
