import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BackendName } from '../../core/config/choices';
import type { EngineEvent } from '../../core/events';
import { eventText } from '../../core/report/eventText';
import type { ActiveJob } from '../../protocol/explorer';
import type { JobRuntime } from './nodeRuntime';
import { jobFile, parseWorkerMessage, type HostToWorker, type JobKind, type JobRequest, type JobResult } from '../../protocol/worker';
import { durationText } from '../../core/config/duration';

/** How long a cancelled training job gets to write its checkpoint before the worker is killed. */
const CANCEL_GRACE_MS = 60_000;

export interface JobEvent {
  job: ActiveJob;
  event: EngineEvent;
}

/**
 * Runs one engine job at a time in a forked worker: a progress notification with Cancel, a status
 * bar item, every event in the log. A worker that dies is reported with a Show Log action; the
 * promise always settles.
 */
export class JobRunner implements vscode.Disposable {
  private current?: { id: number; job: ActiveJob; child: ChildProcess; cancelled: boolean };
  private nextId = 1;
  private readonly statusBar = vscode.window.createStatusBarItem('depthlab.job', vscode.StatusBarAlignment.Left, 10);
  private readonly changed = new vscode.EventEmitter<ActiveJob | undefined>();
  private readonly events = new vscode.EventEmitter<JobEvent>();
  readonly onDidChangeJob = this.changed.event;
  private readonly settled = new vscode.EventEmitter<ActiveJob>();
  readonly onEvent = this.events.event;
  /** A job's result or failure arrived (its worker may take a moment more to exit). */
  readonly onDidSettleJob = this.settled.event;

  constructor(
    private readonly workerScript: string,
    private readonly log: vscode.LogOutputChannel,
    private readonly nodePath: () => string[],
    private readonly backend: () => BackendName | undefined,
    private readonly runtime: () => JobRuntime,
    private readonly python: () => Promise<string | undefined>,
  ) {
    this.statusBar.name = 'DepthLab job';
    this.statusBar.command = 'depthlab.showLog';
  }

  get active(): ActiveJob | undefined {
    return this.current?.job;
  }

  /** The job's result, or undefined when it was cancelled, failed (already reported) or another job is running. */
  async run<K extends JobKind>(request: JobRequest<K>, label: string): Promise<JobResult<K> | undefined> {
    if (this.current) {
      const choice = await vscode.window.showWarningMessage(`DepthLab is busy: ${this.current.job.label}. One job runs at a time.`, 'Cancel Running Job');
      if (choice) this.cancel();
      return undefined;
    }
    const job: ActiveJob = { job: request.job, label, configFile: jobFile(request as JobRequest) };
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `DepthLab: ${label}`, cancellable: true },
      (progress, token) => this.start(request as JobRequest, job, progress, token) as Promise<JobResult<K> | undefined>,
    );
  }

  cancel(): boolean {
    const current = this.current;
    if (!current) return false;
    current.cancelled = true;
    this.log.info(`cancelling ${current.job.label}`);
    if (current.job.job === 'train') {
      // Training stops after its step with a checkpoint; a worker that does not stop in time is killed.
      current.child.send({ type: 'cancel', id: current.id } satisfies HostToWorker);
      setTimeout(() => current.child.kill(), CANCEL_GRACE_MS).unref();
    } else {
      current.child.kill();
    }
    return true;
  }

  dispose(): void {
    this.cancel();
    this.statusBar.dispose();
    this.changed.dispose();
    this.events.dispose();
    this.settled.dispose();
  }

  private start(
    request: JobRequest,
    job: ActiveJob,
    progress: vscode.Progress<{ message?: string; increment?: number }>,
    token: vscode.CancellationToken,
  ): Promise<JobResult | undefined> {
    return new Promise((resolve) => {
      const runtime = this.runtime();
      this.log.info(`${job.label}: ${job.configFile}, under ${runtime.text}`);
      const child = fork(this.workerScript, [], {
        execPath: runtime.execPath,
        // The workspace is where relative paths and a cached model's analysis resolve, as for the CLI's working folder.
        cwd: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        env: { ...process.env, NODE_PATH: this.nodePath().join(path.delimiter), ELECTRON_RUN_AS_NODE: '1' },
        execArgv: [],
      });
      const current = { id: this.nextId++, job, child, cancelled: false };
      this.current = current;
      this.changed.fire(job);
      this.showStatus(job.label);
      let result: JobResult | undefined;
      let failure: { message: string; user: boolean } | undefined;
      let lastFraction = 0;
      // The wasm runtime can print its whole minified source with an error: log short lines only.
      const pipeLines = (stream: NodeJS.ReadableStream | null) =>
        stream?.on('data', (chunk: Buffer) => {
          for (const line of chunk.toString().split('\n')) if (line.trim()) this.log.trace(`[worker] ${line.slice(0, 300)}`);
        });
      pipeLines(child.stdout);
      pipeLines(child.stderr);
      token.onCancellationRequested(() => this.cancel());

      child.on('message', (raw) => {
        const message = parseWorkerMessage(raw);
        if (message?.id !== current.id) return;
        switch (message.type) {
          case 'event': {
            const { event } = message;
            if (event.type === 'run-start') job.runId = event.runId;
            if (event.type === 'backend') {
              job.backend = event.backend;
              job.device = event.device;
              if (event.log) this.log.trace(`[gpu probe] ${event.log}`);
              this.showStatus(job.label);
              this.changed.fire(job);
            }
            const text = eventText(event);
            // Steps and progress go to the log sparsely; everything else as it comes.
            const sparse = (event.type === 'step' && event.step % 10 !== 0 && event.step !== event.steps) || (event.type === 'progress' && event.done !== event.total);
            if (text && !sparse) this.log.info(text);
            if (event.type === 'step') {
              const fraction = event.step / event.steps;
              progress.report({ increment: (fraction - lastFraction) * 100, message: `step ${event.step}/${event.steps} · loss ${event.loss.toFixed(3)}` });
              lastFraction = fraction;
              this.showStatus(`${job.label} ${event.step}/${event.steps}`);
            } else if (event.type === 'progress') {
              const fraction = event.done / event.total;
              progress.report({ increment: (fraction - lastFraction) * 100, message: `${event.done}/${event.total} ${event.unit} · about ${Math.ceil(event.etaSeconds)} s left` });
              lastFraction = fraction;
              this.showStatus(`${job.label} ${Math.round(fraction * 100)}%`);
              job.progress = `${Math.round(fraction * 100)}% · about ${durationText(event.etaSeconds)} left`;
              this.changed.fire(job);
            } else if (event.type === 'notice' && event.text.startsWith('budget ')) {
              job.budget = event.text;
              this.changed.fire(job);
            } else if (event.type === 'phase') {
              progress.report({ message: event.detail });
              this.showStatus(`${job.label}: ${event.phase}`);
            }
            this.events.fire({ job, event });
            break;
          }
          case 'done':
            result = message.result;
            this.settled.fire(job);
            setTimeout(() => child.kill(), 5_000).unref();
            break;
          case 'failed':
            failure = message;
            this.settled.fire(job);
            setTimeout(() => child.kill(), 5_000).unref();
            if (message.stack) this.log.error(message.stack);
            else this.log.error(message.message);
            break;
        }
      });
      child.on('exit', (code, signal) => {
        this.current = undefined;
        this.statusBar.hide();
        this.changed.fire(undefined);
        if (result) {
          this.log.info(`${job.label}: done`);
          resolve(result);
          return;
        }
        resolve(undefined);
        if (current.cancelled) {
          this.log.info(`${job.label}: cancelled`);
        } else if (failure) {
          void this.reportFailure(failure.user ? failure.message : `${job.label} failed: ${failure.message}`);
        } else {
          const how = signal ? `signal ${signal}` : `exit code ${code}`;
          this.log.error(`${job.label}: the worker stopped unexpectedly (${how})`);
          void this.reportFailure(`${job.label} stopped unexpectedly (${how}).`);
        }
      });
      void this.python().then((python) => child.send({ type: 'start', id: current.id, request, backend: this.backend(), ...(python && { python }) } satisfies HostToWorker));
    });
  }

  private showStatus(text: string): void {
    const job = this.current?.job;
    this.statusBar.text = `$(sync~spin) DepthLab: ${text}${job?.backend ? ` · ${job.backend}` : ''}`;
    const device = job?.device ? ` on ${job.backend}, ${job.device}` : '';
    this.statusBar.tooltip = `A DepthLab job is running${device}. Click to show the log; "DepthLab: Cancel Running Job" stops it.`;
    this.statusBar.show();
  }

  private async reportFailure(message: string): Promise<void> {
    if ((await vscode.window.showErrorMessage(`DepthLab: ${message}`, 'Show Log')) === 'Show Log') this.log.show();
  }
}
