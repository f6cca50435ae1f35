import type { Batch, Transformer } from '../model/transformer';
import { evaluate, type Evaluation } from './evaluate';

export interface DepthRow extends Evaluation {
  depth: number;
}

/** Every depth r = N … 1 with the selector's layers, evaluated without finetuning. */
export function depthSweep(model: Transformer, batches: Batch[], select: (target: number) => number[], onRow?: (row: DepthRow) => void): DepthRow[] {
  const rows: DepthRow[] = [];
  for (let depth = model.layers; depth >= 1; depth--) {
    const row = { depth, ...evaluate(model, batches, select(depth)) };
    rows.push(row);
    onRow?.(row);
  }
  return rows;
}
