const COUNT = 0;
const GENERATION = 1;

/**
 * A reusable barrier for a fixed number of threads over shared memory. Each passage bumps a
 * generation number, so a fast thread's arrival at the next passage is never mistaken for this one's.
 */
export class ThreadBarrier {
  private constructor(
    readonly state: Int32Array<SharedArrayBuffer>,
    private readonly parties: number,
  ) {}

  static create(parties: number): ThreadBarrier {
    return new ThreadBarrier(new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT)), parties);
  }

  static attach(state: Int32Array<SharedArrayBuffer>, parties: number): ThreadBarrier {
    return new ThreadBarrier(state, parties);
  }

  /** Arrive, and block until every thread has (for the worker threads, which have nothing else to do). */
  arriveAndWait(): void {
    const generation = this.arrive();
    while (generation !== undefined && Atomics.load(this.state, GENERATION) === generation) Atomics.wait(this.state, GENERATION, generation);
  }

  /** Arrive, and wait without blocking the event loop (for the main thread, which must still hear of a thread that died). */
  async arriveAndWaitAsync(): Promise<void> {
    const generation = this.arrive();
    while (generation !== undefined && Atomics.load(this.state, GENERATION) === generation) {
      const wait = Atomics.waitAsync(this.state, GENERATION, generation);
      if (wait.async) await wait.value;
    }
  }

  /** The generation to wait out, or undefined for the last to arrive, who opens the barrier. */
  private arrive(): number | undefined {
    const generation = Atomics.load(this.state, GENERATION);
    if (Atomics.add(this.state, COUNT, 1) < this.parties - 1) return generation;
    Atomics.store(this.state, COUNT, 0);
    Atomics.add(this.state, GENERATION, 1);
    Atomics.notify(this.state, GENERATION);
    return undefined;
  }
}
