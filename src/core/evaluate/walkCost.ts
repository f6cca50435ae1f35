/**
 * What one batch's walk through sub-networks sharing prefixes costs: a layer evaluation per distinct
 * prefix, a readout per sub-network, and (a streamed model) one read of each layer used, the walk
 * running every branch through a layer before the next layer.
 */
export interface WalkCost {
  blocks: number;
  readouts: number;
  layers: number;
}

/** The cost of `forwardSharingPrefixes` over these sub-networks (ascending layer lists), counted before running it. */
export function walkCost(subnetworks: ReadonlyArray<readonly number[]>): WalkCost {
  const prefixes = new Set<string>();
  for (const layers of subnetworks) for (let end = 1; end <= layers.length; end++) prefixes.add(layers.slice(0, end).join(','));
  return { blocks: prefixes.size, readouts: subnetworks.length, layers: new Set(subnetworks.flat()).size };
}

export const addCosts = (...costs: WalkCost[]): WalkCost => ({
  blocks: costs.reduce((sum, c) => sum + c.blocks, 0),
  readouts: costs.reduce((sum, c) => sum + c.readouts, 0),
  layers: costs.reduce((sum, c) => sum + c.layers, 0),
});

/** A walk's layer evaluations and readouts `factor` times over (more rows through the same layers); each layer is still read once. */
export const scaledCost = (cost: WalkCost, factor: number): WalkCost => ({ blocks: cost.blocks * factor, readouts: cost.readouts * factor, layers: cost.layers });
