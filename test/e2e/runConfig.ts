/** A config for an e2e run on `text.txt`: 32 wide, LayerDrop 0.5, on wasm; depth, length and choice vary by test. */
export function runConfig(name: string, layers: number, train: { steps: number; evalEvery: number; evalBatches: number }, prune: { strategy: string; targetLayers: number }) {
  return {
    name,
    data: { train: 'text.txt' },
    model: { layers, dModel: 32, heads: 2, ffn: 64, seqLen: 32 },
    layerdrop: { rate: 0.5 },
    train: { batchSize: 8, checkpointEvery: 0, backend: 'wasm', ...train },
    prune,
  };
}
