import * as fs from 'node:fs';
import { writeFileAtomic } from '../files/atomicWrite';

/** metrics.jsonl: one JSON object a line, written through to disk as training goes. */
export class MetricsLog {
  private readonly fd: number;

  constructor(readonly file: string) {
    this.fd = fs.openSync(file, 'a');
  }

  append(entry: object): void {
    fs.writeSync(this.fd, `${JSON.stringify(entry)}\n`);
  }

  close(): void {
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
  }

  /** On resume: drop what was logged after the checkpoint's step, so each step appears once. */
  static truncateAfter(file: string, step: number): void {
    if (!fs.existsSync(file)) return;
    const kept = readMetrics(file).filter((entry) => entry.step <= step);
    writeFileAtomic(file, kept.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
  }
}

/** Complete lines only: a reader running beside the trainer can meet a line half written. */
export function readMetrics(file: string): Array<{ type: string; step: number } & Record<string, unknown>> {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((line) => {
      try {
        return line.trim() ? [JSON.parse(line)] : [];
      } catch {
        return [];
      }
    });
}
