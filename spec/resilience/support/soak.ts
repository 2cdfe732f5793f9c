import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { lastValueFrom, type Observable, of, range } from 'rxjs';
import { catchError, defaultIfEmpty, map, mergeMap, reduce } from 'rxjs/operators';
import { createHttpClient, MemoryTokenStore, oauth2Refresh } from '../../../lib';
import { startTestAuthServer } from '../../../lib/testing/index';

/** How hard and how long to push. Give `requests`, or `seconds` for a timed run. */
export interface SoakOptions {
  readonly requests?: number;
  readonly seconds?: number;
  readonly concurrency: number;
  /** Every access token is revoked this often. */
  readonly expireEveryMs: number;
}

/** What a soak saw. `failures` lists the first few errors by name and status. */
export interface SoakReport {
  readonly requests: number;
  readonly failures: number;
  readonly failureSamples: readonly string[];
  readonly expiries: number;
  /** Ticks that did not expire the tokens, to keep two expiries from landing within one request. */
  readonly skippedTicks: number;
  readonly refreshCalls: number;
  readonly refreshTokenReuse: number;
  readonly unauthorized: number;
  readonly durationMs: number;
  readonly requestsPerSecond: number;
  /** Heap in use after a full GC, once warmed up and at the end. */
  readonly heapWarmBytes: number;
  readonly heapEndBytes: number;
}

/** A full garbage collection, when the runtime lets us ask for one. */
export function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (() => void) | undefined;
  gc?.();
}

function heapAfterGc(): number {
  collectGarbage();
  collectGarbage(); // a second pass clears what the first one's finalizers released
  return process.memoryUsage().heapUsed;
}

/**
 * Sends many authenticated GETs through one client against the real loopback server while every
 * token is revoked on a timer, and reports failures, refreshes and heap growth.
 */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const server = await startTestAuthServer({ recordTokensSeen: false }); // its log would grow with the run;
  const store = new MemoryTokenStore(server.issueTokens());
  const client = createHttpClient({
    baseUrl: server.url,
    auth: {
      store,
      refresh: oauth2Refresh({ tokenUrl: `${server.url}/oauth/token` }),
      // The default guard (10 in 60 s) is for real traffic; here tokens die many times a second.
      maxRefreshes: { count: Math.ceil((10_000 / options.expireEveryMs) * 2), windowMs: 10_000 },
    },
  });
  let expiries = 0;
  let skippedTicks = 0;
  const failureSamples: string[] = [];
  let failures = 0;
  const one = (i: number): Observable<number> =>
    client.get<{ path: string }>(`/api/item/${i}`).pipe(
      map((echo) => (echo.path === `/api/item/${i}` ? 0 : 1)),
      catchError((error: unknown) => {
        if (failureSamples.length < 10)
          failureSamples.push(
            `${(error as Error).name} ${(error as { status?: number }).status ?? ''} ${(error as Error).message}`,
          );
        return of(1);
      }),
    );
  // Trap: range hands mergeMap every index at once, and skipping the late ones with inners that
  // complete synchronously recurses once per buffered index inside mergeMap (rxjs 7.8): past a few
  // thousand the stack overflows and the stream silently never ends. Timed runs go in rounds instead.
  const load = (count: number): Promise<number> =>
    lastValueFrom(
      range(0, count).pipe(
        mergeMap((i) => one(i), options.concurrency),
        reduce((sum, failed) => sum + failed, 0),
        defaultIfEmpty(0),
      ),
    );

  try {
    // Warm up (JIT, sockets, caches) before the heap baseline.
    failures += await load(Math.min(options.concurrency * 2, 400));
    const heapWarmBytes = heapAfterGc();
    server.resetStats();
    // A tick is skipped until 2 x concurrency requests have succeeded since the last expiry. Without
    // that, a stall of the machine longer than a tick (GC, a busy CI box) lets two expiries land
    // between a refresh and the arrival of the retries it woke: they carry a token that was fresh
    // when sent and fail with it, as they would with any client that retries once. Requests reach
    // the server about in order, so every retry arrives before that many later requests succeed.
    let succeededAtExpiry = 0;
    const ticker = setInterval(() => {
      const succeeded = server.stats.apiRequests - server.stats.unauthorized;
      if (succeeded - succeededAtExpiry < 2 * options.concurrency) {
        skippedTicks++;
        return;
      }
      succeededAtExpiry = succeeded;
      server.expireAccessTokens();
      expiries++;
    }, options.expireEveryMs);
    const started = Date.now();
    const until = options.seconds === undefined ? Infinity : started + options.seconds * 1000;
    const count = options.requests ?? Number.MAX_SAFE_INTEGER;
    let sent = 0;
    // The clock is read between rounds, so a timed run overshoots by at most one round.
    const roundSize = options.seconds === undefined ? count : options.concurrency * 10;
    while (sent < count && Date.now() < until) {
      const round = Math.min(count - sent, roundSize);
      failures += await load(round);
      sent += round;
    }
    clearInterval(ticker);
    const durationMs = Date.now() - started;
    const heapEndBytes = heapAfterGc();
    return {
      requests: server.stats.apiRequests - server.stats.unauthorized,
      failures,
      failureSamples,
      expiries,
      skippedTicks,
      refreshCalls: server.stats.tokenRequests,
      refreshTokenReuse: server.stats.refreshTokenReuse,
      unauthorized: server.stats.unauthorized,
      durationMs,
      requestsPerSecond: Math.round(
        ((server.stats.apiRequests - server.stats.unauthorized) * 1000) / Math.max(1, durationMs),
      ),
      heapWarmBytes,
      heapEndBytes,
    };
  } finally {
    await server.close();
  }
}
