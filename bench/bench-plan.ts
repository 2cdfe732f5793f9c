// What one `npm run bench` measures, and the messages its processes exchange. Every process
// (orchestrator, server, one client per cell) reads the same plan, so a quick run and a full run
// differ in exactly one place.
import type { GcSummary, ProfileKind } from './window-profiler';

/** The clients compared. */
export const VARIANTS = [
  'raw-http',
  'bare-ajax',
  'full-chain',
  'full-chain-node',
  'axios-refresh',
  'naive-rxjs',
] as const;
export type Variant = (typeof VARIANTS)[number];

/** The variants that can refresh a token, and so take part in the expiry scenario. */
export const REFRESHING_VARIANTS: readonly Variant[] = ['full-chain', 'full-chain-node', 'axios-refresh', 'naive-rxjs'];

export const VARIANT_LABELS: Readonly<Record<Variant, string>> = {
  'raw-http': 'raw node:http (keep-alive agent)',
  'bare-ajax': 'bare rxjs/ajax + xhr2',
  'full-chain': 'rxjs-auth-http (full chain)',
  'full-chain-node': 'rxjs-auth-http on node:http',
  'axios-refresh': 'axios + axios-auth-refresh',
  'naive-rxjs': 'naive catchError refresh (RxJS)',
};

export const CONCURRENCIES = [1, 16, 256] as const;

/** Every request of every variant asks for this: about 200 bytes of JSON, token required. */
export const LOAD_PATH = '/api/sized?bytes=200';

export type Scenario = 'throughput' | 'expiry';

/** How long and how often; BENCH_QUICK=1 shrinks everything for a smoke run. */
export interface BenchPlan {
  readonly quick: boolean;
  /** Rounds of every cell; each round runs every variant once, so ratios compare neighbours in time. */
  readonly rounds: number;
  /** A new round is not started when the bench has run this long. */
  readonly budgetMs: number;
  readonly throughput: { readonly warmupMs: number; readonly windowMs: number };
  readonly expiry: {
    readonly warmupMs: number;
    readonly windowMs: number;
    /** Access tokens are expired this many times in the window... */
    readonly expiries: number;
    /** ...every periodMs, the first after periodMs / 2, the last well before the window ends. */
    readonly periodMs: number;
    /** How long the token endpoint takes to answer: a real one is not instant. */
    readonly tokenDelayMs: number;
  };
  /** Requests in flight when the window closes get this long to finish before they count as failed. */
  readonly drainMs: number;
  /**
   * A warm-up also lasts until this many requests completed (at most `warmupMaxMs`): time alone is
   * not enough, as on a slow or loaded machine V8 had not optimized the longer chain by the end of a
   * fixed warm-up, and the window measured the JIT (38% more user CPU than bare ajax, against 5%).
   */
  readonly warmupRequests: number;
  readonly warmupMaxMs: number;
  /**
   * The layer's cost in interleaved slices (bench/layer-slices.ts): this many pairs of windows of
   * `windowMs`, the full chain's and its bare transport's, alternating.
   */
  readonly layerSlices: { readonly pairs: number; readonly windowMs: number };
  readonly coordinationOps: number;
  readonly parkedRequests: number;
}

export function benchPlan(quick: boolean): BenchPlan {
  return quick
    ? {
        quick,
        rounds: 1,
        budgetMs: 60_000,
        throughput: { warmupMs: 200, windowMs: 500 },
        expiry: { warmupMs: 200, windowMs: 1_000, expiries: 2, periodMs: 400, tokenDelayMs: 100 },
        drainMs: 5_000,
        warmupRequests: 1_000,
        warmupMaxMs: 1_000,
        layerSlices: { pairs: 4, windowMs: 300 },
        coordinationOps: 50_000,
        parkedRequests: 10_000,
      }
    : {
        quick,
        rounds: 3,
        budgetMs: 900_000, // far above 3 rounds here: the goals take the median of at least 3
        throughput: { warmupMs: 600, windowMs: 1_800 },
        expiry: { warmupMs: 400, windowMs: 2_600, expiries: 5, periodMs: 500, tokenDelayMs: 100 },
        drainMs: 10_000,
        warmupRequests: 10_000,
        warmupMaxMs: 6_000,
        layerSlices: { pairs: 40, windowMs: 500 },
        coordinationOps: 300_000,
        parkedRequests: 10_000,
      };
}

/**
 * The task of one client process: `variant` at `concurrency`, warmed up as `plan` says for
 * `scenario`, with a window of the scenario's length unless `windowMs` says otherwise.
 */
export function cellTask(
  plan: BenchPlan,
  cell: Pick<CellTask, 'scenario' | 'variant' | 'concurrency' | 'baseUrl'> & Partial<Pick<CellTask, 'windowMs'>>,
): CellTask {
  const timing = plan[cell.scenario];
  return {
    windowMs: timing.windowMs,
    ...cell,
    warmupMs: timing.warmupMs,
    warmupRequests: plan.warmupRequests,
    warmupMaxMs: plan.warmupMaxMs,
    drainMs: plan.drainMs,
  };
}

/** `variants` turned by `round`, so that across rounds no variant always follows the same neighbour. */
export function inTurn<T>(variants: readonly T[], round: number): T[] {
  return variants.map((_, i) => variants[(i + round - 1) % variants.length] as T);
}

/** What the orchestrator tells a client process to do (in argv, as JSON). */
export interface CellTask {
  readonly variant: Variant;
  readonly scenario: Scenario;
  readonly concurrency: number;
  readonly baseUrl: string;
  /** The warm-up lasts at least warmupMs and until warmupRequests completed, at most warmupMaxMs. */
  readonly warmupMs: number;
  readonly warmupRequests: number;
  readonly warmupMaxMs: number;
  readonly windowMs: number;
  readonly drainMs: number;
  /** Profile the window (into `file`, for the cpu and heap kinds), and measure GC. */
  readonly profile?: { readonly kind: ProfileKind; readonly file?: string };
  /**
   * Interleaved slices instead of one window: after the warm-up, each 'go' runs one window and is
   * answered with a 'slice', `slices` times; the orchestrator alternates two clients between them.
   */
  readonly slices?: number;
}

/** What a client process measured in its window. */
export interface ClientMeasurement {
  /** Requests that succeeded inside the window. */
  readonly completed: number;
  /** Requests started in the window that failed (counted until the drain ends). */
  readonly failed: number;
  /** Requests still running when the drain ended (counted as failed as well). */
  readonly unfinished: number;
  readonly windowMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** User + system CPU of the client process in the window, in microseconds. */
  readonly cpuMicros: number;
  /**
   * The two parts of it. On loopback the sender's system calls run much of the receiver's TCP work,
   * so system time follows the server's timing; user time is what the client's own code costs.
   */
  readonly userCpuMicros: number;
  readonly systemCpuMicros: number;
  /**
   * Times the client process gave up the CPU in the window: voluntarily (its event loop found
   * nothing to do and waited), or because the scheduler took it. Per request, the voluntary count
   * shows how many requests each turn of the loop handled: the fewer, the more each one costs.
   */
  readonly contextSwitches: { readonly voluntary: number; readonly involuntary: number };
  /** With `profile` only: the collections in the window and the bytes allocated. */
  readonly gc?: GcSummary;
  readonly peakRssBytes: number;
  /** The first few distinct failure messages, to tell a broken bench from a failing client. */
  readonly failureSamples: readonly string[];
}

/** What the server saw during one cell's window (and drain). */
export interface ServerMeasurement {
  readonly apiRequests: number;
  readonly unauthorized: number;
  readonly refreshCalls: number;
  readonly refreshTokenReuse: number;
  readonly expiries: number;
  /** The server process's CPU from `begin` to `end`: shows when the server, not the client, is the limit. */
  readonly cpuMicros: number;
  readonly wallMs: number;
}

/** Client process -> orchestrator. */
export type ClientMessage =
  | { readonly type: 'warm' }
  | { readonly type: 'window-closed' }
  | { readonly type: 'result'; readonly measurement: ClientMeasurement }
  | { readonly type: 'slice'; readonly measurement: ClientMeasurement }
  | { readonly type: 'error'; readonly message: string };

/** Orchestrator -> server process. */
export type ServerCommand =
  | {
      readonly id: number;
      readonly type: 'begin';
      readonly expiries: number;
      readonly periodMs: number;
      readonly tokenDelayMs: number;
    }
  | { readonly id: number; readonly type: 'stop-expiring' }
  | { readonly id: number; readonly type: 'end' };

/** Server process -> orchestrator. */
export type ServerReply =
  | { readonly type: 'listening'; readonly url: string }
  | { readonly id: number; readonly type: 'done'; readonly measurement?: ServerMeasurement };
