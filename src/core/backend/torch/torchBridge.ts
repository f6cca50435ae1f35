/**
 * The worker thread between DepthLab's synchronous passes and the Python process: it owns the
 * process's pipes (asynchronous, as Node's pipes are), writes each request the job thread posts,
 * and hands back each reply line, or the process's end, through `port` and `flag` (Atomics), so
 * the job thread can wait without an event loop. Bundled as dist/torchBridge.js.
 */
import { spawn } from 'node:child_process';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';

export interface TorchBridgeInit {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Set to 1 when a message is on `port`. */
  flag: Int32Array;
  port: MessagePort;
}

/** What the job thread reads from `port`: a reply line, or the process's end with the last lines it wrote to stderr. */
export type BridgeMessage = { line: string } | { exited: { code: number | null; signal: string | null; stderr: string; error?: string } } | { pid: number };

const { command, args, env, flag, port } = workerData as TorchBridgeInit;
const post = (message: BridgeMessage) => {
  port.postMessage(message);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
};

const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
let stderrTail = '';
let pending = '';
let ended = false;
const end = (code: number | null, signal: string | null, error?: string) => {
  if (ended) return;
  ended = true;
  post({ exited: { code, signal, stderr: stderrTail.trim().split('\n').slice(-12).join('\n'), ...(error && { error }) } });
};
if (child.pid) post({ pid: child.pid });
child.stdout.setEncoding('utf8');
child.stdout.on('data', (chunk: string) => {
  pending += chunk;
  let newline: number;
  while ((newline = pending.indexOf('\n')) >= 0) {
    const line = pending.slice(0, newline);
    pending = pending.slice(newline + 1);
    if (line.trim()) post({ line });
  }
});
child.stderr.setEncoding('utf8');
child.stderr.on('data', (chunk: string) => {
  stderrTail = (stderrTail + chunk).slice(-8000);
  if (env.DEPTHLAB_TORCH_LOG) process.stderr.write(chunk);
});
child.on('error', (error) => end(null, null, error.message));
// A request written to a process that has ended: its close, not this, says what happened.
child.stdin.on('error', () => undefined);
// Whatever else goes wrong here must still wake the job thread, which waits on `flag`.
process.on('uncaughtException', (error) => end(null, null, `the bridge to Python failed: ${error.message}`));
child.on('close', (code, signal) => end(code, signal));
parentPort!.on('message', (request: string | null) => {
  if (request === null) {
    child.stdin.end();
    return;
  }
  child.stdin.write(`${request}\n`);
});
