import { defer, from, identity, type Observable, of, type Subject, throwError, timeout } from 'rxjs';
import { catchError, concatMap, map, take, throwIfEmpty } from 'rxjs/operators';
import { AuthRefreshError } from '../errors/auth-refresh-error';
import type { AuthEvent } from './auth-events';
import { oauthErrorOf } from './oauth-error-of';
import type { ResolvedAuthOptions } from './auth-options';
import { lockedRefresh } from './locked-refresh';
import { clearStore, readLatest, replaceTokens, writeStore } from './store-access';
import type { AuthTokens, TokenStore } from './token-store';

/**
 * How one refresh ended. A failure is a value, not an error notification: the shared flight must
 * never error, because `shareReplay` re-runs its source for a subscriber that arrives after an error.
 * `sessionEnded` marks the failure that cleared the store: the session announces it once every
 * waiter has its error.
 */
export type RefreshOutcome =
  | { readonly ok: true; readonly tokens: AuthTokens }
  | { readonly ok: false; readonly error: AuthRefreshError; readonly sessionEnded?: true };

/**
 * One refresh from start to end: calls `refresh` (inside `auth.lock` when there is one), bounds it
 * with `refreshTimeout`, checks the answer, stores it, and reports. Emits exactly one outcome, then completes.
 */
export function refreshFlight(
  options: ResolvedAuthOptions,
  stale: AuthTokens,
  events: Subject<AuthEvent>,
): Observable<RefreshOutcome> {
  const { store, refreshTimeout, lock } = options;
  const refreshed = (current: AuthTokens) =>
    defer(() => {
      events.next({ type: 'refresh-start' });
      return from(options.refresh(current, { dpop: options.dpop }));
    }).pipe(
      take(1),
      throwIfEmpty(() => new AuthRefreshError('invalid-tokens', new Error('the refresh completed without tokens'))),
      refreshTimeout > 0
        ? timeout({ first: refreshTimeout, with: () => throwError(() => new AuthRefreshError('timeout')) })
        : identity,
      map((fresh) => checkedTokens(fresh, current)),
      concatMap((fresh) => commit(store, current, fresh)),
    );
  const succeeded = (tokens: AuthTokens): RefreshOutcome => {
    events.next({ type: 'refresh-success', expiresAt: tokens.expiresAt });
    return { ok: true, tokens };
  };
  // Settled where it ran: under a lock, a rejected refresh token must be cleared before the next
  // context reads the store, or that context would present the dead token once more.
  const settled = (current: AuthTokens) =>
    refreshed(current).pipe(
      map(succeeded),
      catchError((error: unknown) => failure(options, current, error, events)),
    );
  // Shared with other contexts: the lock decides who refreshes, after this process's own single flight.
  return (lock ? lockedRefresh(lock, store, stale, refreshTimeout, settled, succeeded) : settled(stale)).pipe(
    catchError((error: unknown) => failure(options, stale, error, events)), // the lock's and the in-lock read's
  );
}

/**
 * Fails the flight now with `error`: the session ended while it ran, logged out (`logged-out`) or
 * its refresh token rejected in another context (`rejected`), as its waiters must learn.
 */
export function endedOutcome(events: Subject<AuthEvent>, error: AuthRefreshError): RefreshOutcome {
  events.next({ type: 'refresh-failure', error });
  return { ok: false, error };
}

/** Fails the flight without calling the token endpoint: too many refreshes in the window. */
export function stormOutcome(events: Subject<AuthEvent>): RefreshOutcome {
  const error = new AuthRefreshError(
    'storm',
    new Error('too many refreshes in a short time; the token server is left alone'),
  );
  events.next({ type: 'refresh-failure', error });
  return { ok: false, error };
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

function failure(
  options: ResolvedAuthOptions,
  stale: AuthTokens,
  cause: unknown,
  events: Subject<AuthEvent>,
): Observable<RefreshOutcome> {
  const rejected = cause instanceof AuthRefreshError ? cause.reason === 'rejected' : options.isRefreshRejected(cause);
  const error =
    cause instanceof AuthRefreshError
      ? cause
      : new AuthRefreshError(rejected ? 'rejected' : 'failed', cause, oauthErrorOf(cause));
  return readLatest(options.store).pipe(
    catchError(() => of(stale)), // an unreadable store tells nothing new: judge by the failure alone
    concatMap((current): Observable<RefreshOutcome> => {
      // Newer tokens arrived while this refresh ran (another tab refreshed with the same rotating
      // refresh token, say, which is why ours was refused): they are the answer.
      if (current !== null && current.accessToken !== stale.accessToken) {
        events.next({ type: 'refresh-success', expiresAt: current.expiresAt });
        return of({ ok: true, tokens: current });
      }
      events.next({ type: 'refresh-failure', error });
      // Transient: keep the tokens for the next try. Cleared already: someone else ended the session.
      if (!rejected || current === null) return of({ ok: false, error });
      // The refresh token is dead: end the session.
      return clearStore(options.store).pipe(
        catchError(() => of(undefined)), // the session is over either way; the waiters learn why from `error`
        map((): RefreshOutcome => {
          // Other tabs hear it now, while this one still holds the lock; this tab's own
          // `session-expired` follows once every waiter has its error (see the session).
          options.lock?.announceSessionEnd?.('session-expired');
          return { ok: false, error, sessionEnded: true };
        }),
      );
    }),
  );
}
