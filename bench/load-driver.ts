import type { SendOne } from './variants';

/** A closed loop of `concurrency` workers: each sends its next request when its last one ends. */
export interface LoadRun {
  /** Stops starting requests and resolves once every request in flight ended, or after `drainMs`. */
  stop(drainMs: number): Promise<{ unfinished: number }>;
  readonly completed: number;
  readonly failed: number;
  /** Latency in ms of every request that succeeded. */
  readonly latencies: readonly number[];
  readonly failureSamples: readonly string[];
}

/** Starts the loop; nothing else runs in the process meanwhile, so the CPU it uses is the client's. */
export function startLoad(send: SendOne, concurrency: number): LoadRun {
  const latencies: number[] = [];
  const failureSamples = new Set<string>();
  let completed = 0;
  let failed = 0;
  let inFlight = 0;
  let running = true;
  let onIdle: (() => void) | null = null;

  const next = (): void => {
    const startedAt = performance.now();
    let synchronous = true;
    inFlight++;
    send((error) => {
      inFlight--;
      if (error === null) {
        completed++;
        latencies.push(performance.now() - startedAt);
      } else {
        failed++;
        if (failureSamples.size < 5) failureSamples.add(describe(error));
      }
      if (running) {
        // A sender that answers synchronously must not grow the stack without bound.
        if (synchronous) setImmediate(next);
        else next();
      } else if (inFlight === 0) {
        onIdle?.();
      }
    });
    synchronous = false;
  };
  for (let i = 0; i < concurrency; i++) next();

  return {
    get completed() {
      return completed;
    },
    get failed() {
      return failed;
    },
    latencies,
    get failureSamples() {
      return [...failureSamples];
    },
    stop(drainMs) {
      running = false;
      if (inFlight === 0) return Promise.resolve({ unfinished: 0 });
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve({ unfinished: inFlight }), drainMs);
        onIdle = () => {
          clearTimeout(timer);
          resolve({ unfinished: 0 });
        };
      });
    },
  };
}

function describe(error: unknown): string {
  const name = (error as { name?: unknown } | null)?.name;
  const message = error instanceof Error ? error.message : String(error);
  return `${typeof name === 'string' ? name : 'Error'}: ${message}`.slice(0, 160);
}
