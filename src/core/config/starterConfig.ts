import type { Task } from './choices';

/** A commented starter `*.depthlab.json` (used by `depthlab init` and the editor's New Config). */
export function starterConfig(task: Task = 'language-model'): string {
  const data =
    task === 'language-model'
      ? `  // Plain text, paths relative to this file. Omit "train" to use the bundled Moby Dick.
  "data": {
    // "train": "data/train.txt",
    // "valid": "data/valid.txt"
  },`
      : `  // JSONL {"text": ..., "label": ...} or CSV with text,label columns. Omit "train" to use the bundled ham/spam mail.
  "data": {
    // "train": "data/train.jsonl"
  },`;
  return `{
  "task": "${task}",
${data}
  "model": {
    "layers": 6,
    "dModel": 64,
    "heads": 4,
    "ffn": 256,
    "seqLen": 64,
    "dropout": 0.1
  },
  // Each layer is skipped whole with probability "rate" while training (fairseq --${task === 'language-model' ? 'decoder' : 'encoder'}-layerdrop).
  // To prune to r of N layers later, train with p* = 1 - r/N: 0.5 for 3 of 6. 0.1-0.2 mostly regularises.
  "layerdrop": {
    "rate": 0.5,
    "schedule": "uniform"
  },
  "train": {
    "steps": 200,
    "batchSize": 16,
    "lr": 0.003,
    "warmup": 20,
    "seed": 1,
    "evalEvery": 100,
    "checkpointEvery": 100
  },
  "prune": {
    "strategy": "every-other",
    "targetLayers": 3
  }
  // "layersToKeep": [0, 2, 4]
}
`;
}
