import { MultiBar, type SingleBar } from 'cli-progress';
import type { EngineEvent } from '../core/events';
import { eventText } from '../core/report/eventText';

export type OutputMode = 'tty' | 'plain' | 'json';

/**
 * Turns engine events into terminal output: a progress bar on a TTY, plain lines otherwise, JSON
 * lines with --json. The bar is a MultiBar of one: its log() prints lines above the bar, and it
 * clears itself when stopped (a SingleBar restores the cursor to where it started, so the lines
 * printed meanwhile were overwritten by whatever came next).
 */
export class Reporter {
  private bars?: MultiBar;
  private bar?: SingleBar;
  private lastPlainStep = 0;
  private lastPlainProgress = 0;

  constructor(readonly mode: OutputMode) {}

  event = (event: EngineEvent): void => {
    if (this.mode === 'json') {
      process.stdout.write(`${JSON.stringify(event)}\n`);
      return;
    }
    const text = eventText(event);
    switch (event.type) {
      case 'run-start':
        this.lastPlainStep = event.startStep;
        this.info(text!);
        if (this.mode === 'tty') this.startBar('train [{bar}] {value}/{total} | loss {loss} | {tps} tok/s | ETA {eta_formatted}', event.steps, event.startStep, { loss: '-', tps: '-' });
        return;
      case 'step':
        if (this.bar) this.bar.update(event.step, { loss: event.loss.toFixed(3), tps: Math.round(event.tokensPerSecond) });
        else if (event.step - this.lastPlainStep >= Math.max(1, Math.floor(event.steps / 20)) || event.step === event.steps) {
          this.lastPlainStep = event.step;
          this.info(text!);
        }
        return;
      case 'run-end':
        this.stopBar();
        this.info(text!);
        return;
      case 'progress':
        if (this.mode === 'tty') {
          if (!this.bar) this.startBar(`${event.label} [{bar}] {value}/{total} ${event.unit} | ETA {eta_formatted}`, event.total, 0);
          this.bar!.update(event.done);
          if (event.done === event.total) this.stopBar();
        } else if (event.done - this.lastPlainProgress >= Math.max(1, Math.floor(event.total / 10)) || event.done === event.total) {
          this.lastPlainProgress = event.done;
          this.info(text!);
        }
        return;
      case 'backend':
      case 'notice':
      case 'valid':
      case 'phase':
        this.info(text!);
        return;
    }
  };

  private startBar(format: string, total: number, start: number, payload?: Record<string, unknown>): void {
    this.bars = new MultiBar({ format, hideCursor: true, etaBuffer: 20, clearOnComplete: true });
    this.bar = this.bars.create(total, start, payload);
  }

  private stopBar(): void {
    this.bars?.stop();
    this.bars = undefined;
    this.bar = undefined;
  }

  /** A line of human output, above the bar while there is one (stderr in JSON mode is never used for data). */
  info(line: string): void {
    if (this.mode === 'json') return;
    if (this.bars) {
      this.bars.log(`${line}\n`);
      this.bars.update();
    } else process.stdout.write(`${line}\n`);
  }

  /** The command's result: JSON in --json mode, else the human text. */
  result(json: unknown, text: string): void {
    this.stopBar();
    if (this.mode === 'json') process.stdout.write(`${JSON.stringify({ type: 'result', ...(json as object) })}\n`);
    else process.stdout.write(`${text}\n`);
  }
}
