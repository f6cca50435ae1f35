/**
 * Dawn's Node bindings settle a buffer map (and every other GPU promise) only when they call
 * `wgpuInstanceProcessEvents`, which they schedule by calling the global `setImmediate` with a
 * native function. The engine reads tensors synchronously (`dataSync`), and a thread cannot wait
 * for its own event loop, so this hook keeps the native callbacks it sees: `processDawnEvents()`
 * runs the pending ones now, and the event loop still runs each one once, later, if it is pending.
 */
type Pending = { run: () => void; done: boolean };

const pending = new Set<Pending>();
let hooked = false;

/** Install the hook; it must precede the first Dawn call (Dawn looks `setImmediate` up each time it schedules). */
export function hookDawnEvents(): void {
  if (hooked) return;
  hooked = true;
  const schedule = globalThis.setImmediate;
  const hook = (callback: (...args: unknown[]) => void, ...args: unknown[]) => {
    if (!isNative(callback)) return schedule(callback, ...args);
    const entry: Pending = { run: () => callback(...args), done: false };
    pending.add(entry);
    return schedule(() => runOnce(entry));
  };
  globalThis.setImmediate = Object.assign(hook, schedule) as typeof setImmediate;
}

/** Run Dawn's pending event processing now, on this thread; false when Dawn has nothing scheduled. */
export function processDawnEvents(): boolean {
  if (pending.size === 0) return false;
  for (const entry of [...pending]) runOnce(entry);
  return true;
}

function runOnce(entry: Pending): void {
  if (entry.done) return;
  entry.done = true;
  pending.delete(entry);
  entry.run();
}

const isNative = (callback: unknown) => typeof callback === 'function' && /\{\s*\[native code\]\s*\}\s*$/.test(Function.prototype.toString.call(callback));
