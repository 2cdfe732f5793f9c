// The layer's own cost (user CPU per request of a full chain minus its bare transport), measured
// by alternating two warm client processes window by window instead of comparing separate cells.
// On a shared machine the speed drifts over seconds: separate cells of one round lie tens of
// seconds apart and their difference moved by tens of µs between rounds, while the two windows of
// a pair lie half a second apart, so a drift moves both alike. Pairs run in ABBA order, so neither
// side always goes first.
import { cellTask, type BenchPlan, type CellTask, type ClientMeasurement, type Variant } from './bench-plan';
import { SlicedClient, type ServerProcess } from './child-processes';
import { perRequest } from './figures';

/** The layer's cost at concurrency 16, per pair of neighbouring windows. */
export interface LayerSlices {
  readonly layered: Variant;
  readonly bare: Variant;
  /** Per pair: user CPU µs per request of `layered` minus that of `bare`. */
  readonly differences: readonly number[];
  readonly layeredUserMicros: readonly number[];
  readonly bareUserMicros: readonly number[];
  /** Per pair: bytes allocated per request by `layered` minus by `bare` (V8's GC profiler, no sampler). */
  readonly allocationDifferences: readonly number[];
  /** Failed requests in all windows of both; a bench that failed requests measured nothing useful. */
  readonly failed: number;
}

export const SLICE_CONCURRENCY = 16;

/** Each full chain and the same transport with nothing on top: the difference is the layer. */
export const LAYER_PAIRS: readonly (readonly [layered: Variant, bare: Variant])[] = [
  ['full-chain', 'bare-ajax'],
  ['full-chain-node', 'raw-http'],
];

export async function measureLayerInSlices(
  plan: BenchPlan,
  bundle: string,
  server: ServerProcess,
  layered: Variant,
  bare: Variant,
): Promise<LayerSlices> {
  const { pairs, windowMs } = plan.layerSlices;
  const task = (variant: Variant): CellTask => ({
    ...cellTask(plan, {
      scenario: 'throughput',
      variant,
      concurrency: SLICE_CONCURRENCY,
      baseUrl: server.url,
      windowMs,
    }),
    slices: pairs,
    // V8's GC profiler alone: the bytes allocated in each window, at no cost the CPU figures show.
    profile: { kind: 'gc' },
  });
  const limitMs = plan.warmupMaxMs + plan.throughput.warmupMs + windowMs + plan.drainMs + 20_000;
  const user = (measurement: { userCpuMicros: number; completed: number }) =>
    perRequest(measurement.userCpuMicros, measurement.completed);

  const allocated = (measurement: ClientMeasurement) =>
    perRequest(measurement.gc?.allocatedBytes ?? Number.NaN, measurement.completed);

  await server.begin(0, 0, 0);
  const started: SlicedClient[] = [];
  try {
    // One after the other, so neither warm-up competes with the other for the cores.
    const layeredClient = await SlicedClient.start(bundle, task(layered), limitMs);
    started.push(layeredClient);
    const bareClient = await SlicedClient.start(bundle, task(bare), limitMs);
    started.push(bareClient);

    const differences: number[] = [];
    const layeredUserMicros: number[] = [];
    const bareUserMicros: number[] = [];
    const allocationDifferences: number[] = [];
    let failed = 0;
    for (let pair = 0; pair < pairs; pair++) {
      const layeredFirst = pair % 2 === 0;
      const first = await (layeredFirst ? layeredClient : bareClient).slice();
      const second = await (layeredFirst ? bareClient : layeredClient).slice();
      const [ofLayered, ofBare] = layeredFirst ? [first, second] : [second, first];
      layeredUserMicros.push(user(ofLayered));
      bareUserMicros.push(user(ofBare));
      differences.push(user(ofLayered) - user(ofBare));
      allocationDifferences.push(allocated(ofLayered) - allocated(ofBare));
      failed += ofLayered.failed + ofBare.failed;
    }
    return { layered, bare, differences, layeredUserMicros, bareUserMicros, allocationDifferences, failed };
  } finally {
    await Promise.all(started.map((client) => client.close()));
    await server.end();
  }
}
