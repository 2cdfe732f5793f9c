// One process of the multi-process specs: a client sharing one credential through Redis, driven
// by its parent over IPC (see worker-protocol.ts).
import { defer, forkJoin, from, lastValueFrom, merge, of, Subject, timer } from 'rxjs';
import { catchError, concatMap, ignoreElements, map, repeat, takeUntil, tap } from 'rxjs/operators';
import {
  AuthRefreshError,
  createHttpClient,
  NetworkError,
  oauth2Refresh,
  type AuthTokens,
  type HttpClient,
} from '../../../lib';
import { RedisRefreshLock, RedisTokenStore } from '../../../lib/redis';
import type { EchoedRequest } from '../../../lib/testing/index';
import { redisClientKind, type SpecClient } from './redis-clients';
import type { FromWorker, LoopTally, ToWorker } from './worker-protocol';

const tell = (message: FromWorker) => process.send!(message);
let state: {
  client: HttpClient;
  redis: SpecClient;
  closers: Array<{ close(): Promise<void> }>;
} | null = null;
let holdAfterRefresh = false;
let go: (() => void) | null = null;
const events: string[] = [];
const tally: { ok: number; failed: number; reasons: Record<string, number> } = { ok: 0, failed: 0, reasons: {} };
const stopLoops = new Subject<void>();
/** The Authorization header of each loop's last success. */
const loopTokens: string[] = [];

process.on('message', (message: ToWorker) => {
  void handle(message).catch((error: unknown) => {
    console.error('worker failed', error);
    process.exit(1);
  });
});

async function handle(message: ToWorker): Promise<void> {
  switch (message.type) {
    case 'init': {
      const redis = await redisClientKind(message.client).connect(message.target);
      const store = new RedisTokenStore(redis, { key: message.key });
      const lock = new RedisRefreshLock(redis, { key: message.key, leaseMs: message.leaseMs, pollMs: 250 });
      const refreshOverHttp = oauth2Refresh({ tokenUrl: `${message.apiUrl}/oauth/token` });
      const refresh = (tokens: AuthTokens) =>
        from(refreshOverHttp(tokens)).pipe(
          concatMap((fresh) => (holdAfterRefresh ? from(heldUntilGo()).pipe(map(() => fresh)) : of(fresh))),
        );
      const client = createHttpClient({
        baseUrl: message.apiUrl,
        // The default retry, as users run it: 400 requests at once can meet a reset on a loaded loopback.
        auth: { store, lock, refresh, refreshTimeout: message.refreshTimeout, maxRefreshes: false },
      });
      client.authEvents$.subscribe((event) => {
        events.push(event.type);
        if (event.type === 'refresh-start') tell({ type: 'refresh-start' });
        if (event.type === 'session-expired' || event.type === 'logout') tell({ type: 'session-end', end: event.type });
      });
      state = { client, redis, closers: [store, lock] };
      tell({ type: 'ready' });
      return;
    }
    case 'burst': {
      const { client } = state!;
      const outcomes = await lastValueFrom(
        forkJoin(
          Array.from({ length: message.count }, (_, i) =>
            client.get<EchoedRequest>(`/api/item/${i}`).pipe(
              map((echo) => ({ ok: true as const, token: echo.headers['authorization'] ?? '' })),
              catchError((error: unknown) => of({ ok: false as const, why: describe(error) })),
            ),
          ),
        ),
      );
      const failures = outcomes.flatMap((outcome) => (outcome.ok ? [] : [outcome.why]));
      const tokens = [...new Set(outcomes.flatMap((outcome) => (outcome.ok ? [outcome.token] : [])))];
      tell({ type: 'burst-done', ok: outcomes.length - failures.length, failures, tokens });
      return;
    }
    case 'loops': {
      const { client } = state!;
      loopTokens.push(...Array<string>(message.count).fill(''));
      const loop = (i: number) =>
        defer(() => client.get<EchoedRequest>(`/api/loop/${i}`)).pipe(
          tap((echo) => {
            tally.ok++;
            loopTokens[i] = echo.headers['authorization'] ?? '';
          }),
          ignoreElements(),
          catchError((error: unknown) => {
            tally.failed++;
            const why = describe(error);
            tally.reasons[why] = (tally.reasons[why] ?? 0) + 1;
            // A client backs off after a failure rather than failing 50 loops at full speed.
            return timer(100).pipe(ignoreElements());
          }),
          repeat(),
          takeUntil(stopLoops),
        );
      merge(...Array.from({ length: message.count }, (_, i) => loop(i))).subscribe({
        complete: () => tell({ type: 'loops-stopped', ...snapshot() }),
      });
      return;
    }
    case 'tally':
      tell({ type: 'tally', ...snapshot() });
      return;
    case 'stop-loops':
      stopLoops.next();
      return;
    case 'hold-after-refresh':
      holdAfterRefresh = true;
      return;
    case 'go':
      holdAfterRefresh = false;
      go?.();
      return;
    case 'await-redis': {
      await state!.redis.whenReady();
      tell({ type: 'redis-ready' });
      return;
    }
    case 'logout':
      await state!.client.auth!.logout();
      tell({ type: 'logged-out' });
      return;
    case 'events':
      tell({ type: 'events', events: [...events] });
      return;
    case 'close': {
      stopLoops.next(); // takeUntil unsubscribes each loop's request in flight
      await Promise.all(state?.closers.map((closer) => closer.close()) ?? []);
      await state?.redis.closeForSpec();
      tell({ type: 'closed' });
      process.disconnect();
    }
  }
}

function snapshot(): LoopTally {
  const [first] = loopTokens;
  const agreed = loopTokens.length > 0 && !loopTokens.includes('') && loopTokens.every((token) => token === first);
  return { ...tally, reasons: { ...tally.reasons }, lastToken: agreed ? first! : '' };
}

function heldUntilGo(): Promise<void> {
  tell({ type: 'refreshed' });
  return new Promise((resolve) => (go = resolve));
}

// A failure as the parent reports it: the error's name and reason, never a token.
function describe(error: unknown): string {
  if (error instanceof AuthRefreshError)
    return `AuthRefreshError(${error.reason}${error.cause instanceof Error ? `: ${error.cause.name}(${(error.cause as { reason?: string }).reason ?? ''})` : ''}${error.oauthError ? ` ${error.oauthError}` : ''})`;
  if (error instanceof NetworkError) return `NetworkError(${error.code})`;
  const status = (error as { status?: unknown } | null)?.status;
  if (error instanceof Error && typeof status === 'number') return `${error.name}(${status})`;
  return error instanceof Error ? error.name : String(error);
}
