// The issue's goals, checked against one run: each says its target, what was measured, and
// whether it passed. A goal with too few rounds says so in its figure.
import { CONCURRENCIES, VARIANT_LABELS, type Variant } from './bench-plan';
import type { CellRecord, Cells } from './cells';
import { fixed, median, perRequest, quantile, times } from './figures';
import type { LayerSlices } from './layer-slices';
import type { CoordinationResult, ParkedResult } from './micro-process';

/** REPORT: a figure the issue asks to see beside the goals, with no target to pass or fail. */
export type GoalResult = 'PASS' | 'FAIL' | 'REPORT';

export interface Goal {
  readonly name: string;
  readonly target: string;
  readonly measured: string;
  readonly result: GoalResult;
}

const passOrFail = (pass: boolean): GoalResult => (pass ? 'PASS' : 'FAIL');

/** Issue #21's limits on the layer over the default transport. */
const ALLOCATION_LIMIT_BYTES = 7000;
const CPU_SHARE_LIMIT = 33;

const perConcurrency = (show: (concurrency: number) => string) =>
  CONCURRENCIES.map((c) => `${show(c)} at ${c}`).join(', ');

export function goalsOf(
  cells: Cells,
  layerSlices: readonly LayerSlices[],
  coordination: CoordinationResult,
  parked: ParkedResult,
): Goal[] {
  const sliced = (layered: Variant) => layerSlices.find((slices) => slices.layered === layered);
  const defaultLayer = layerCost(cells, sliced('full-chain'), 'full-chain', 'bare-ajax');
  const nodeLayer = layerCost(cells, sliced('full-chain-node'), 'full-chain-node', 'raw-http');
  return [
    underExpiry(cells, 'full-chain'),
    underExpiry(cells, 'full-chain-node'),
    // Issue #21: the layer is judged on what it allocates and on its share of the bare transport's
    // CPU, both from the interleaved pairs; a difference of a few µs is below what this machine resolves.
    {
      name: 'Allocation per request of the layer on the default transport (full chain minus bare rxjs/ajax + xhr2, concurrency 16)',
      target: `<= ${ALLOCATION_LIMIT_BYTES.toLocaleString('en-US')} bytes (baseline 6.0 KB when issue #21 was filed, plus 1 KB)`,
      measured: defaultLayer.allocation,
      result: passOrFail(defaultLayer.allocationBytes <= ALLOCATION_LIMIT_BYTES),
    },
    {
      name: "User CPU of the layer on the default transport, as a share of bare rxjs/ajax + xhr2's (concurrency 16)",
      target: `<= ${CPU_SHARE_LIMIT}% (what the 0.75x throughput floor allows; baseline about 12%, 3.5 µs, when issue #21 was filed)`,
      measured: defaultLayer.measured,
      result: passOrFail(defaultLayer.share <= CPU_SHARE_LIMIT),
    },
    {
      name: 'The layer on node:http (full chain on node:http minus raw node:http, concurrency 16)',
      target: 'reported (informational, no target)',
      measured: `allocation: ${nodeLayer.allocation}; user CPU: ${nodeLayer.measured}`,
      result: 'REPORT',
    },
    // The default transport, then the option the issue allows next to rxjs/ajax: node:http.
    versus(cells, 'full-chain', 'Full chain vs axios + axios-auth-refresh (req/s)', 'axios-refresh', 2.5, [16, 256]),
    versus(cells, 'full-chain', 'Full chain vs bare rxjs/ajax + xhr2 (req/s)', 'bare-ajax', 0.75, CONCURRENCIES),
    versus(cells, 'full-chain-node', 'Full chain on node:http vs raw node:http (req/s)', 'raw-http', 0.85, [16, 256]),
    versus(
      cells,
      'full-chain-node',
      'Full chain on node:http vs axios + axios-auth-refresh (req/s)',
      'axios-refresh',
      2.5,
      [16, 256],
    ),
    versus(
      cells,
      'full-chain-node',
      'Full chain on node:http vs bare rxjs/ajax + xhr2 (req/s)',
      'bare-ajax',
      0.95,
      CONCURRENCIES,
    ),
    {
      name: 'Coordination CPU per request (session.authorize over of(value))',
      target: '< 5 µs',
      measured: `${fixed(coordination.authorizeMicros)} µs (with authInterceptor and the chain: ${fixed(coordination.interceptorMicros)} µs; of() alone ${fixed(coordination.baselineMicros)} µs)`,
      result: passOrFail(coordination.authorizeMicros < 5),
    },
    {
      name: `${parked.requests.toLocaleString('en-US')} requests parked on one slow refresh (heap)`,
      target: '< 20 MB, and one refresh call',
      measured: `${fixed(parked.heapDeltaBytes / 2 ** 20, 1)} MB (${Math.round(parked.heapDeltaBytes / parked.requests)} bytes per request), ${parked.refreshCalls} refresh call(s), ${parked.settled} settled`,
      result: passOrFail(
        parked.heapDeltaBytes < 20 * 2 ** 20 && parked.refreshCalls === 1 && parked.settled === parked.requests,
      ),
    },
  ];
}

/** One refresh per expiry and no failed request, in every expiry cell of `variant`. */
function underExpiry(cells: Cells, variant: Variant): Goal {
  const ours = cells.all.filter((cell) => cell.scenario === 'expiry' && cell.variant === variant);
  return {
    name: `${VARIANT_LABELS[variant]} under expiry: one refresh per expiry, no failed request`,
    target: 'refresh calls = expiries and 0 failed, every run, at concurrency 1, 16 and 256',
    measured: perConcurrency((c) => {
      const runs = ours.filter((cell) => cell.concurrency === c);
      return `${runs.map((cell) => `${cell.server.refreshCalls}/${cell.server.expiries}`).join(' ')} refreshes/expiries, ${runs.reduce((sum, cell) => sum + cell.client.failed, 0)} failed`;
    }),
    result: passOrFail(
      CONCURRENCIES.every((c) => ours.some((cell) => cell.concurrency === c)) &&
        ours.every(
          (cell) =>
            cell.server.expiries > 0 && cell.server.refreshCalls === cell.server.expiries && cell.client.failed === 0,
        ),
    ),
  };
}

/**
 * `variant`'s req/s at least `min` times `other`'s at each concurrency in `at`. The round count is
 * shown because the spread between rounds is large: one round is a smoke test, not a verdict.
 */
function versus(
  cells: Cells,
  variant: Variant,
  name: string,
  other: Variant,
  min: number,
  at: readonly number[],
): Goal {
  const ratioAt = (c: number) => cells.ratio('throughput', variant, other, c);
  return {
    name,
    target: `>= ${min}x ${at.length === CONCURRENCIES.length ? 'at every concurrency' : `at concurrency ${at.join(' and ')}`}`,
    measured:
      at.map((c) => `${times(ratioAt(c))} at ${c}`).join(', ') +
      ` (median of ${cells.roundsOf('throughput')} round(s))`,
    result: passOrFail(at.every((c) => ratioAt(c) >= min)),
  };
}

/**
 * The client's user CPU per request of `variant` minus that of `bare` at concurrency 16, in µs and
 * as a share of `bare`'s, and the bytes it allocates per request beyond `bare`'s. User time,
 * because on loopback the client's system time carries much of the server's TCP work. Judged on
 * the interleaved pairs (bench/layer-slices.ts), whose two windows lie half a second apart; the
 * difference of the separate cells of each round, which lie tens of seconds apart, is shown beside.
 */
function layerCost(
  cells: Cells,
  slices: LayerSlices | undefined,
  variant: Variant,
  bare: Variant,
): { share: number; measured: string; allocationBytes: number; allocation: string } {
  const user = (cell: CellRecord) => perRequest(cell.client.userCpuMicros, cell.client.completed);
  const rounds = cells.perRound('throughput', variant, bare, 16, (cell, peer) => user(cell) - user(peer));
  const ofCells = `separate cells per round: ${rounds.map((value) => fixed(value, 1)).join(', ') || 'none'} µs`;
  if (!slices) {
    const none = `no interleaved pairs ran; ${ofCells}`;
    return { share: NaN, measured: none, allocationBytes: NaN, allocation: 'no interleaved pairs ran' };
  }
  const differences = slices.differences.filter((value) => !Number.isNaN(value));
  const allocations = slices.allocationDifferences.filter((value) => !Number.isNaN(value));
  const bareMicros = median(slices.bareUserMicros);
  const micros = slices.failed === 0 ? median(differences) : NaN;
  const allocationBytes = slices.failed === 0 ? median(allocations) : NaN;
  return {
    share: (100 * micros) / bareMicros,
    measured:
      `${fixed((100 * micros) / bareMicros, 0)}%: ${fixed(median(differences), 1)} µs over ${fixed(bareMicros, 1)} µs, ` +
      `median of ${differences.length} interleaved pairs ` +
      `(middle half ${fixed(quantile(differences, 0.25), 1)} to ${fixed(quantile(differences, 0.75), 1)} µs; ` +
      `user CPU per request ${VARIANT_LABELS[variant]} ${fixed(median(slices.layeredUserMicros), 1)} µs, ` +
      `${VARIANT_LABELS[bare]} ${fixed(bareMicros, 1)} µs; failed ${slices.failed}); ${ofCells}`,
    allocationBytes,
    allocation:
      `${Math.round(allocationBytes).toLocaleString('en-US')} bytes, median of ${allocations.length} interleaved pairs ` +
      `(middle half ${Math.round(quantile(allocations, 0.25))} to ${Math.round(quantile(allocations, 0.75))} bytes)`,
  };
}
