// Turns the raw cells into the tables the report shows, and the goals checked against them.
// Medians across rounds everywhere.
import { CONCURRENCIES, type Variant } from './bench-plan';
import { Cells, rpsOf, type CellRecord } from './cells';
import { median, perRequest } from './figures';
import { goalsOf, type Goal } from './goals';
import type { LayerSlices } from './layer-slices';
import type { CoordinationResult, ParkedResult } from './micro-process';

export interface ThroughputRow {
  readonly variant: Variant;
  readonly concurrency: number;
  readonly runs: number;
  readonly rps: number;
  /** The slowest and fastest round: how much the machine's noise moved this figure. */
  readonly rpsRange: readonly [number, number];
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly cpuMicrosPerRequest: number;
  /** The two parts of it: user time is the client's own code, system time mostly loopback TCP. */
  readonly userMicrosPerRequest: number;
  readonly systemMicrosPerRequest: number;
  readonly peakRssMb: number;
  readonly vsBare: number;
  readonly vsRaw: number;
  /** Share of one core the server used: near 1 means the server, not the client, set the pace. */
  readonly serverCore: number;
  readonly failed: number;
}

export interface ExpiryRow {
  readonly variant: Variant;
  readonly concurrency: number;
  readonly runs: number;
  readonly rps: number;
  readonly p99Ms: number;
  readonly expiries: number;
  readonly refreshPerExpiry: number;
  readonly unauthorizedPerExpiry: number;
  readonly failed: number;
  readonly failedPerExpiry: number;
  readonly refreshTokenReuse: number;
}

export interface BenchSummary {
  readonly throughput: readonly ThroughputRow[];
  readonly expiry: readonly ExpiryRow[];
  readonly layerSlices: readonly LayerSlices[];
  readonly coordination: CoordinationResult;
  readonly parked: ParkedResult;
  readonly goals: readonly Goal[];
}

export function summarize(
  records: readonly CellRecord[],
  layerSlices: readonly LayerSlices[],
  coordination: CoordinationResult,
  parked: ParkedResult,
): BenchSummary {
  const cells = new Cells(records);

  const throughput: ThroughputRow[] = cells.variantsIn('throughput').flatMap((variant) =>
    CONCURRENCIES.map((concurrency) => {
      const runs = cells.pick('throughput', variant, concurrency);
      return {
        variant,
        concurrency,
        runs: runs.length,
        rps: median(runs.map(rpsOf)),
        rpsRange: [Math.min(...runs.map(rpsOf)), Math.max(...runs.map(rpsOf))],
        p50Ms: median(runs.map((cell) => cell.client.p50Ms)),
        p99Ms: median(runs.map((cell) => cell.client.p99Ms)),
        cpuMicrosPerRequest: median(runs.map((cell) => perRequest(cell.client.cpuMicros, cell.client.completed))),
        userMicrosPerRequest: median(runs.map((cell) => perRequest(cell.client.userCpuMicros, cell.client.completed))),
        systemMicrosPerRequest: median(
          runs.map((cell) => perRequest(cell.client.systemCpuMicros, cell.client.completed)),
        ),
        peakRssMb: median(runs.map((cell) => cell.client.peakRssBytes / 2 ** 20)),
        vsBare: cells.ratio('throughput', variant, 'bare-ajax', concurrency),
        vsRaw: cells.ratio('throughput', variant, 'raw-http', concurrency),
        serverCore: median(runs.map((cell) => cell.server.cpuMicros / 1000 / cell.server.wallMs)),
        failed: runs.reduce((sum, cell) => sum + cell.client.failed, 0),
      };
    }),
  );

  const expiry: ExpiryRow[] = cells.variantsIn('expiry').flatMap((variant) =>
    CONCURRENCIES.map((concurrency) => {
      const runs = cells.pick('expiry', variant, concurrency);
      const perExpiry = (count: (cell: CellRecord) => number) =>
        median(runs.map((cell) => count(cell) / cell.server.expiries));
      return {
        variant,
        concurrency,
        runs: runs.length,
        rps: median(runs.map(rpsOf)),
        p99Ms: median(runs.map((cell) => cell.client.p99Ms)),
        expiries: median(runs.map((cell) => cell.server.expiries)),
        refreshPerExpiry: perExpiry((cell) => cell.server.refreshCalls),
        unauthorizedPerExpiry: perExpiry((cell) => cell.server.unauthorized),
        failed: median(runs.map((cell) => cell.client.failed)),
        failedPerExpiry: perExpiry((cell) => cell.client.failed),
        refreshTokenReuse: median(runs.map((cell) => cell.server.refreshTokenReuse)),
      };
    }),
  );

  const goals = goalsOf(cells, layerSlices, coordination, parked);
  return { throughput, expiry, layerSlices, coordination, parked, goals };
}
