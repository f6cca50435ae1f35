/**
 * Dawn's Node bindings settle a buffer map (and every other GPU promise) only when they call
 * `wgpuInstanceProcessEvents`, which they schedule by calling the global `setImmediate` with a
 * native function. The engine reads tensors synchronously (`dataSync`), and a thread cannot wait
 * for its own event loop, so this hook keeps the native callbacks it sees: `processDawnEvents()`
 * runs the pending ones now, and one immediate of our own runs whatever is still pending when the
 * event loop comes round. (One, not one per callback: a synchronous wait makes Dawn reschedule on
 * every round, and an immediate each would pile up in the event loop's queue until it ran.)
 */
const pending: Array<() => void> = [];
let drainScheduled = false;
let hooked = false;

/** Install the hook; it must precede the first Dawn call (Dawn looks `setImmediate` up each time it schedules). */
export function hookDawnEvents(): void {
  if (hooked) return;
  hooked = true;
  const schedule = globalThis.setImmediate;
  const hook = (callback: (...args: unknown[]) => void, ...args: unknown[]) => {
    if (!isNative(callback)) return schedule(callback, ...args);
    pending.push(() => callback(...args));
    if (drainScheduled) return undefined;
    drainScheduled = true;
    return schedule(() => {
      drainScheduled = false;
      processDawnEvents();
    });
  };
  globalThis.setImmediate = Object.assign(hook, schedule) as typeof setImmediate;
}

/** Run Dawn's pending event processing now, on this thread; false when Dawn had nothing scheduled. */
export function processDawnEvents(): boolean {
  if (pending.length === 0) return false;
  for (const run of pending.splice(0)) run();
  return true;
}

const nativeSource = /\{\s*\[native code\]\s*\}\s*$/;
const isNative = (callback: unknown) => typeof callback === 'function' && nativeSource.test(Function.prototype.toString.call(callback));
