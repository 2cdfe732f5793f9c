// Profiles one client process over its measured window only (not its start-up, warm-up or drain):
// V8's sampling CPU profiler (the one `node --cpu-prof` drives), reached through the inspector so
// it starts and stops with the window, and V8's GC profiler, whose heap figures before and after
// each collection give the bytes allocated in between.
import { Session } from 'node:inspector/promises';
import v8 from 'node:v8';

/** What V8 collected in the window: see `bench/cpu-profile.ts` for how the profile is read. */
export interface WindowProfile {
  /** The CPU profile, or V8's sampling heap profile (where the allocated bytes were allocated). */
  readonly profile: unknown;
  readonly gc: GcSummary;
}

/**
 * Which profiler runs: one at a time, as each distorts the other (the heap sampler walks the stack
 * every few allocations, which the CPU profile would then show as the allocating code's time).
 * `gc` runs V8's GC profiler alone: the bytes allocated, at a cost too small to show in the CPU
 * figures, so the bench's interleaved pairs can count allocation in every window.
 */
export type ProfileKind = 'cpu' | 'heap' | 'gc';

export interface GcSummary {
  /** Collections in the window, by kind: scavenges are young-generation, mark-sweeps old. */
  readonly scavenges: number;
  readonly markSweeps: number;
  /** Time V8 reports it spent collecting, in ms. */
  readonly pauseMs: number;
  /** Bytes allocated on the V8 heap in the window. */
  readonly allocatedBytes: number;
}

interface GcStatistic {
  readonly gcType: string;
  readonly cost: number;
  readonly beforeGC: { readonly heapStatistics: { readonly usedHeapSize: number } };
  readonly afterGC: { readonly heapStatistics: { readonly usedHeapSize: number } };
}

export class WindowProfiler {
  private readonly session = new Session();
  private readonly gcProfiler = new v8.GCProfiler();
  private usedAtStart = 0;

  constructor(private readonly kind: ProfileKind) {}

  async start(): Promise<void> {
    if (this.kind === 'gc') {
      this.usedAtStart = v8.getHeapStatistics().used_heap_size;
      this.gcProfiler.start();
      return;
    }
    this.session.connect();
    if (this.kind === 'cpu') {
      await this.session.post('Profiler.enable');
      // Every 100 µs: the default 1 ms is too coarse for a request of ~100 µs.
      await this.session.post('Profiler.setSamplingInterval', { interval: 100 });
    } else {
      await this.session.post('HeapProfiler.enable');
    }
    this.usedAtStart = v8.getHeapStatistics().used_heap_size;
    this.gcProfiler.start();
    if (this.kind === 'cpu') {
      await this.session.post('Profiler.start');
    } else {
      // Collected objects stay in the profile: what matters here is what was allocated, not what lived.
      await this.session.post('HeapProfiler.startSampling', {
        samplingInterval: 1024,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
    }
  }

  async stop(): Promise<WindowProfile> {
    if (this.kind === 'gc') {
      const usedAtEnd = v8.getHeapStatistics().used_heap_size;
      const statistics = (this.gcProfiler.stop()?.statistics ?? []) as readonly GcStatistic[];
      return { profile: null, gc: summarizeGc(statistics, this.usedAtStart, usedAtEnd) };
    }
    const { profile } =
      this.kind === 'cpu'
        ? await this.session.post('Profiler.stop')
        : await this.session.post('HeapProfiler.stopSampling');
    const usedAtEnd = v8.getHeapStatistics().used_heap_size;
    const statistics = (this.gcProfiler.stop()?.statistics ?? []) as readonly GcStatistic[];
    this.session.disconnect();
    return { profile, gc: summarizeGc(statistics, this.usedAtStart, usedAtEnd) };
  }
}

// The heap only grows between collections, so what was allocated is every rise in between.
function summarizeGc(statistics: readonly GcStatistic[], usedAtStart: number, usedAtEnd: number): GcSummary {
  let allocatedBytes = 0;
  let usedSinceLast = usedAtStart;
  let pauseMicros = 0;
  for (const gc of statistics) {
    allocatedBytes += gc.beforeGC.heapStatistics.usedHeapSize - usedSinceLast;
    usedSinceLast = gc.afterGC.heapStatistics.usedHeapSize;
    pauseMicros += gc.cost;
  }
  allocatedBytes += usedAtEnd - usedSinceLast;
  return {
    scavenges: statistics.filter((gc) => gc.gcType === 'Scavenge' || gc.gcType === 'MinorMarkSweep').length,
    markSweeps: statistics.filter((gc) => gc.gcType === 'MarkSweepCompact').length,
    pauseMs: pauseMicros / 1000,
    allocatedBytes,
  };
}
