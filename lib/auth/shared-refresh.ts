import { asyncScheduler, defer, from, identity, merge, type Observable, of, Subject, throwError, timeout } from 'rxjs';
import {
  catchError,
  concatAll,
  concatMap,
  finalize,
  map,
  shareReplay,
  take,
  takeUntil,
  throwIfEmpty,
} from 'rxjs/operators';
import { AuthRefreshError } from '../errors/auth-refresh-error';
import { RefreshLockError } from '../errors/refresh-lock-error';
import { RefreshStormError } from '../errors/refresh-storm-error';
import type { AuthEvent } from './auth-events';
import type { ResolvedAuthOptions } from './auth-options';
import { oauthErrorOf } from '../oauth/oauth-error-of';
import { clearStore, readLatest, replaceTokens, writeStore } from './store-access';
import type { AuthTokens, TokenStore } from './token-store';

/**
 * How one refresh ended. A failure is a value, not an error notification: the shared flight must
 * never error, because `shareReplay` re-runs its source for a subscriber that arrives after an error.
 * `sessionEnded` marks the failure that cleared the store.
 */
export type RefreshOutcome =
  | { readonly ok: true; readonly tokens: AuthTokens }
  | { readonly ok: false; readonly error: AuthRefreshError; readonly sessionEnded?: true };

/** The last failed refresh, as the requests that come after it for the same token need to know it. */
interface Failure {
  /** The access token it tried to replace. */
  readonly stale: string;
  readonly error: AuthRefreshError;
  /** Its number among the settled refreshes. */
  readonly settled: number;
  /** How many refreshes of that token failed in a row: the back-off doubles with each. */
  readonly inRow: number;
  /** Until when (asyncScheduler's clock) that token's next refresh waits. */
  readonly until: number;
}

/**
 * The single flight: at most one refresh at a time per session, shared by every request that needs
 * one, and every event a refresh emits. Reads top to bottom: join or start (with the storm guard),
 * the lock shared with other contexts and the re-read inside it, the refresh call, its check and
 * commit, and the failure. Traps it avoids:
 * - `shareReplay` never resets after completion, so a settled flight is dropped (`finalize`), or
 *   every later expiry would replay its old tokens;
 * - `refCount: false`, so one waiter's unsubscribe does not cancel the refresh for the others;
 * - the flight never errors (see {@link RefreshOutcome});
 * - a waiter's retry never passes here again (the session's `catchError` wraps the first attempt
 *   only), so a refused refresh cannot loop;
 * - a session end is reported only once the store is empty (`refresh-failure`, the waiters, then
 *   `session-expired` or `logout`): a listener or a waiter that retries at once finds no dead token.
 */
export class SharedRefresh {
  /** The refresh in progress, shared by every waiter; null when none runs. */
  private flight: Observable<RefreshOutcome> | null = null;
  /** A session end under way: the failure the running refresh's waiters get once it is done. */
  private readonly ended$ = new Subject<Observable<RefreshOutcome>>();
  private refreshStarts: number[] = [];
  /** Refreshes settled so far, to tell a request sent before a failure from one sent after it. */
  private settledCount = 0;
  /** The last refresh's failure; null after a success. */
  private lastFailure: Failure | null = null;

  /**
   * @param emit - where every refresh event goes.
   * @param settled - told each outcome before any waiter is (the session's own bookkeeping).
   */
  constructor(
    private readonly options: ResolvedAuthOptions,
    private readonly emit: (event: AuthEvent) => void,
    private readonly settled: (outcome: RefreshOutcome) => void,
  ) {}

  /** Whether a refresh runs now: requests wait for it rather than send the token it replaces. */
  get running(): Observable<RefreshOutcome> | null {
    return this.flight;
  }

  /** How many refreshes have settled: a request notes it when it goes out, for {@link failureSince}. */
  get settledSoFar(): number {
    return this.settledCount;
  }

  /**
   * The one place that decides who refreshes now, for the pre-expiry and the 401 path alike: the
   * running refresh, or a new one for `stale`.
   */
  join(stale: AuthTokens): Observable<RefreshOutcome> {
    return this.flight ?? this.start(stale);
  }

  /**
   * The failure of the last refresh of `current`, while it still stands for that token: for a
   * request that went out before it settled (the late 401s of a burst), and for any request during
   * the back-off after it (see {@link backingOff}). Those get its error rather than each calling a
   * token endpoint that is down or refusing the client.
   */
  failureSince(current: AuthTokens, settledBefore: number): AuthRefreshError | undefined {
    const failed = this.standingFailure(current);
    return failed && (failed.settled > settledBefore || this.inBackoff(failed)) ? failed.error : undefined;
  }

  /**
   * The failure of the last refresh of `current` during the back-off after it (`refreshBackoff`:
   * 1 s after a first failure, doubling with each failure in a row, at most 30 s). Once it is over,
   * or with newer tokens, a request tries again.
   */
  backingOff(current: AuthTokens): AuthRefreshError | undefined {
    const failed = this.standingFailure(current);
    return failed && this.inBackoff(failed) ? failed.error : undefined;
  }

  // The last refresh's failure, while it stands for `current`: no refresh runs, and it tried to
  // replace exactly this token.
  private standingFailure(current: AuthTokens): Failure | null {
    const failed = this.lastFailure;
    return !this.flight && failed?.stale === current.accessToken ? failed : null;
  }

  private inBackoff(failed: Failure): boolean {
    return asyncScheduler.now() < failed.until;
  }

  /**
   * Stops the running refresh now (a logout, an end heard from elsewhere) and drops its result; its
   * waiters fail with `error` once `done` emits, after the store is cleared, so none finds the tokens.
   */
  end(error: AuthRefreshError, done: Observable<unknown>): void {
    this.ended$.next(
      done.pipe(
        take(1),
        map(() => this.failed(error)),
      ),
    );
  }

  private start(stale: AuthTokens): Observable<RefreshOutcome> {
    let outcome: RefreshOutcome | undefined;
    const ended = this.ended$.pipe(take(1));
    const storm = this.stormGuard();
    const flight: Observable<RefreshOutcome> = merge(
      (storm ? of(this.failed(new AuthRefreshError('storm', storm))) : this.underLock(stale)).pipe(takeUntil(ended)),
      ended.pipe(concatAll()),
    ).pipe(
      take(1),
      finalize(() => {
        if (this.flight === flight) this.flight = null;
        // Announced only now that every waiter has its error, so a logout() on this event cannot
        // cut in and hand them `logged-out` instead.
        if (outcome && !outcome.ok && outcome.sessionEnded)
          this.emit({ type: 'session-expired', error: outcome.error });
      }),
      shareReplay({ bufferSize: 1, refCount: false }),
    );
    this.flight = flight;
    // Our own subscription, first in line: it keeps the flight running after every waiter has
    // gone (so a rotated refresh token is still stored), and records the outcome before they hear it.
    flight.subscribe((settled) => {
      outcome = settled;
      this.settledCount++;
      this.remember(stale, settled);
      this.settled(settled);
    });
    return flight;
  }

  private remember(stale: AuthTokens, outcome: RefreshOutcome): void {
    if (outcome.ok) {
      this.lastFailure = null;
      return;
    }
    const previous = this.lastFailure;
    const inRow = previous?.stale === stale.accessToken ? previous.inRow + 1 : 1;
    const { firstMs, maxMs } = this.options.refreshBackoff;
    this.lastFailure = {
      stale: stale.accessToken,
      error: outcome.error,
      settled: this.settledCount,
      inRow,
      until: asyncScheduler.now() + Math.min(maxMs, firstMs * 2 ** (inRow - 1)),
    };
  }

  // Counts refreshes started within the window; past the limit the token server is left alone
  // until the oldest start leaves the window (null: this refresh may start, and is counted).
  private stormGuard(): RefreshStormError | null {
    const { count, windowMs } = this.options.maxRefreshes;
    const now = asyncScheduler.now();
    this.refreshStarts = this.refreshStarts.filter((startedAt) => now - startedAt < windowMs);
    const oldest = this.refreshStarts[0];
    if (oldest !== undefined && this.refreshStarts.length >= count)
      return new RefreshStormError(count, windowMs, oldest + windowMs - now);
    this.refreshStarts.push(now);
    return null;
  }

  // With `auth.lock`, the refresh runs inside it, and only if the shared store still holds the
  // stale tokens: a context that held the lock before us may have refreshed already, and presenting
  // the refresh token it spent would count as reuse; its tokens are the answer instead. The outcome
  // is settled inside the lock, so a rejected refresh token is cleared before the next context reads.
  private underLock(stale: AuthTokens): Observable<RefreshOutcome> {
    const { lock, store, refreshTimeout } = this.options;
    if (!lock) return this.refreshOnce(stale);
    const insideLock = readLatest(store).pipe(
      concatMap((current) => {
        if (current === null) return throwError(() => new AuthRefreshError('logged-out'));
        return current.accessToken === stale.accessToken ? this.refreshOnce(current) : of(this.succeeded(current));
      }),
    );
    return lock.withLock(insideLock, { refreshTimeout }).pipe(
      // A lock failure is transient (the tokens are kept), as is a failed read inside it.
      catchError((error: unknown) =>
        this.failure(stale, error instanceof RefreshLockError ? new AuthRefreshError('lock', error) : error),
      ),
    );
  }

  // One call of `refresh`, bounded by `refreshTimeout`; its answer checked and committed.
  private refreshOnce(current: AuthTokens): Observable<RefreshOutcome> {
    const { refreshTimeout, store } = this.options;
    return defer(() => {
      this.emit({ type: 'refresh-start' });
      return from(this.options.refresh(current, { dpop: this.options.dpop }));
    }).pipe(
      take(1),
      throwIfEmpty(() => new AuthRefreshError('invalid-tokens', new Error('the refresh completed without tokens'))),
      refreshTimeout > 0
        ? timeout({ first: refreshTimeout, with: () => throwError(() => new AuthRefreshError('timeout')) })
        : identity,
      map((fresh) => checkedTokens(fresh, current)),
      concatMap((fresh) => commit(store, current, fresh)),
      map((tokens) => this.succeeded(tokens)),
      catchError((error: unknown) => this.failure(current, error)),
    );
  }

  private succeeded(tokens: AuthTokens): RefreshOutcome {
    this.emit({ type: 'refresh-success', expiresAt: tokens.expiresAt });
    return { ok: true, tokens };
  }

  private failed(error: AuthRefreshError): RefreshOutcome & { readonly ok: false } {
    this.emit({ type: 'refresh-failure', error });
    return { ok: false, error };
  }

  // Transient failures keep the tokens; a dead grant ends the session (the store is cleared).
  private failure(stale: AuthTokens, cause: unknown): Observable<RefreshOutcome> {
    const { store, isRefreshRejected, lock } = this.options;
    const rejected = cause instanceof AuthRefreshError ? cause.reason === 'rejected' : isRefreshRejected(cause);
    const error =
      cause instanceof AuthRefreshError
        ? cause
        : new AuthRefreshError(rejected ? 'rejected' : 'failed', cause, oauthErrorOf(cause));
    return readLatest(store).pipe(
      catchError(() => of(stale)), // an unreadable store tells nothing new: judge by the failure alone
      concatMap((current): Observable<RefreshOutcome> => {
        // Newer tokens arrived while this refresh ran (another tab refreshed with the same rotating
        // refresh token, say, which is why ours was refused): they are the answer.
        if (current !== null && current.accessToken !== stale.accessToken) return of(this.succeeded(current));
        // Cleared already: someone else ended the session.
        if (!rejected || current === null) return of(this.failed(error));
        return clearStore(store).pipe(
          catchError(() => of(undefined)), // the session is over either way; the waiters learn why from `error`
          map((): RefreshOutcome => {
            // Reported only now, so no listener finds the dead tokens; other contexts hear it while
            // this one still holds the lock; `session-expired` follows the waiters' errors (see `start`).
            const outcome = this.failed(error);
            lock?.announceSessionEnd?.('session-expired');
            return { ...outcome, sessionEnded: true };
          }),
        );
      }),
    );
  }
}

function checkedTokens(fresh: AuthTokens, stale: AuthTokens): AuthTokens {
  if (typeof fresh?.accessToken !== 'string' || fresh.accessToken === '') {
    throw new AuthRefreshError('invalid-tokens', new TypeError('the refresh result has no accessToken'));
  }
  const unsafe = headerUnsafeCharAt(fresh.accessToken);
  if (unsafe >= 0) {
    // Where, never what: the token must not reach a log.
    const where = `character ${unsafe + 1} of ${fresh.accessToken.length}`;
    throw new AuthRefreshError(
      'invalid-tokens',
      new TypeError(`the new accessToken cannot travel in an HTTP header (${where})`),
    );
  }
  // A server that does not rotate refresh tokens sends none back: keep the one we have.
  return fresh.refreshToken === undefined && stale.refreshToken !== undefined
    ? { ...fresh, refreshToken: stale.refreshToken }
    : fresh;
}

// RFC 6749 A.12: an access token is visible ASCII and spaces, and a space at either end would be
// trimmed off a header. Anything else (CR, LF, NUL, non-ASCII) Node refuses only as a request is
// sent, so every request would fail: the refresh refuses it once instead, keeping the old tokens.
function headerUnsafeCharAt(token: string): number {
  if (token.startsWith(' ')) return 0;
  if (token.endsWith(' ')) return token.length - 1;
  for (let i = 0; i < token.length; i++) {
    const code = token.charCodeAt(i);
    if (code < 0x20 || code > 0x7e) return i;
  }
  return -1;
}

// Stores the new tokens unless the store moved on while the refresh ran: cleared means a logout
// (the result must not bring the session back), other tokens mean a newer login or refresh won.
function commit(store: TokenStore, stale: AuthTokens, fresh: AuthTokens): Observable<AuthTokens> {
  if (store.replace) return replaceTokens(store, stale, fresh); // the same test, atomic in the store
  return readLatest(store).pipe(
    concatMap((current) => {
      if (current === null) return throwError(() => new AuthRefreshError('logged-out'));
      if (current.accessToken !== stale.accessToken) return of(current);
      return writeStore(store, fresh).pipe(map(() => fresh));
    }),
  );
}
