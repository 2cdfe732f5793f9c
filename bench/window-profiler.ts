// Profiles one client process over its measured window only (not its start-up, warm-up or drain):
// V8's sampling CPU profiler (the one `node --cpu-prof` drives), reached through the inspector so
// it starts and stops with the window, and V8's GC profiler, whose heap figures before and after
// each collection give the bytes allocated in between.
import { Session } from 'node:inspector/promises';
import v8 from 'node:v8';

/** What V8 collected in the window: see `bench/cpu-profile.ts` for how the profile is read. */
export interface WindowProfile {
  readonly cpuProfile: unknown;
  /** V8's sampling heap profile of the window: where the allocated bytes were allocated. */
  readonly heapProfile: unknown;
  readonly gc: GcSummary;
}

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

  /** Sampling every `intervalMicros`: the default 1 ms is too coarse for a request of ~100 µs. */
  async start(intervalMicros = 100): Promise<void> {
    this.session.connect();
    await this.session.post('Profiler.enable');
    await this.session.post('Profiler.setSamplingInterval', { interval: intervalMicros });
    await this.session.post('HeapProfiler.enable');
    this.usedAtStart = v8.getHeapStatistics().used_heap_size;
    this.gcProfiler.start();
    // Collected objects stay in the profile: what matters here is what was allocated, not what lived.
    await this.session.post('HeapProfiler.startSampling', {
      samplingInterval: 1024,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    await this.session.post('Profiler.start');
  }

  async stop(): Promise<WindowProfile> {
    const { profile } = await this.session.post('Profiler.stop');
    const usedAtEnd = v8.getHeapStatistics().used_heap_size;
    const statistics = (this.gcProfiler.stop()?.statistics ?? []) as readonly GcStatistic[];
    const { profile: heapProfile } = await this.session.post('HeapProfiler.stopSampling');
    this.session.disconnect();
    return { cpuProfile: profile, heapProfile, gc: summarizeGc(statistics, this.usedAtStart, usedAtEnd) };
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
