import { defer, firstValueFrom, type Observable, of, Subject, throwError } from 'rxjs';
import { catchError, finalize, map, shareReplay, switchMap } from 'rxjs/operators';
import type { DPoP } from '../dpop/dpop';
import { AuthRefreshError } from '../errors/auth-refresh-error';
import { statusOf } from '../errors/status-of';
import type { AuthEvent } from './auth-events';
import { resolveAuthOptions, type AuthOptions, type ResolvedAuthOptions, type TokenPlacement } from './auth-options';
import { ExpiryWatch } from './expiry-watch';
import { forgetEndedSession, revokeTokens } from './session-end';
import { SharedRefresh, type RefreshOutcome } from './shared-refresh';
import { clearStore, readStore, readStoreNow } from './store-access';
import type { SessionEnd } from './refresh-lock';
import type { AuthTokens, TokenStore } from './token-store';
import { currentPage, TokenOrigins, type PageLocation } from './token-origins';

/**
 * One signed-in session's tokens and its single-flight refresh. Use it directly to give any
 * Observable transport the same refresh as the client; the client and the Angular adapter are
 * built on it.
 *
 * @example
 * ```ts
 * const session = createAuthSession({ store, refresh: oauth2Refresh({ tokenUrl }) });
 * const me$ = session.authorize((token) =>
 *   ajax.getJSON('https://api.example.com/me', { Authorization: `Bearer ${token}` }),
 * );
 * ```
 */
export interface AuthSession {
  /** Where the tokens live. */
  readonly store: TokenStore;
  /** Refresh and session events; carries no tokens. */
  readonly events$: Observable<AuthEvent>;
  /** Where a token goes on an HTTP request. */
  readonly tokenPlacement: TokenPlacement;
  /** The key the tokens are bound to (`auth.dpop`), or null for Bearer tokens. */
  readonly dpop: DPoP | null;
  /**
   * Whether a token may be sent to `url`: resolved against `page` as the platform will send it
   * (`new URL(url, page.baseUrl)`), its origin is the page's own or in `allowedOrigins`. `page`
   * defaults to the current browser page (`document.baseURI`); outside a browser, only absolute
   * URLs resolve, and a URL that does not resolve gets no token.
   */
  mayReceiveToken(url: string, page?: PageLocation | null): boolean;
  /**
   * Runs `attempt` with the current access token (`null` when signed out) on subscribe. If it
   * fails with a `refreshOn` status, gets a new token (sharing one refresh with every other caller,
   * or none if another caller already refreshed) and runs `attempt` once more. Unsubscribing
   * cancels the attempt, never the shared refresh.
   */
  authorize<T>(attempt: (accessToken: string | null) => Observable<T>): Observable<T>;
  /**
   * Clears the store, then revokes the old tokens at the server when the session has a `revoke`
   * function (a failed revocation is a `revoke-failure` event, never a rejection: the user is
   * signed out locally either way). A refresh still running fails its waiters and its result is dropped.
   */
  logout(): Promise<void>;
}

/**
 * Creates an {@link AuthSession}. Tokens may go to the page's own origin (in a browser) and
 * `allowedOrigins`; a client given the session as its `auth` adds its `baseUrl`'s origin.
 *
 * @example
 * ```ts
 * const session = createAuthSession({
 *   refresh: (tokens) => firebaseUser.getIdToken(true).then((accessToken) => ({ accessToken })),
 *   allowedOrigins: ['https://api.example.com'],
 * });
 * ```
 */
export function createAuthSession(options: AuthOptions): AuthSession {
  return new SingleFlightSession(resolveAuthOptions(options));
}

/** Whether `auth` is a ready session rather than options for one. */
export function isAuthSession(auth: AuthOptions | AuthSession): auth is AuthSession {
  return typeof (auth as Partial<AuthSession>).authorize === 'function';
}

const ENDED_ELSEWHERE = new Error('the refresh token was rejected in another tab or process');

class SingleFlightSession implements AuthSession {
  readonly store: TokenStore;
  readonly events$: Observable<AuthEvent>;
  readonly tokenPlacement: TokenPlacement;
  readonly dpop: DPoP | null;
  private readonly events = new Subject<AuthEvent>();
  private readonly refresh: SharedRefresh;
  /** How the session last ended, for requests whose 401 arrives after it did. */
  private endReason: 'rejected' | 'logged-out' = 'logged-out';
  private readonly expiry: ExpiryWatch;
  private readonly origins: TokenOrigins;

  constructor(private readonly options: ResolvedAuthOptions) {
    this.origins = new TokenOrigins(options.allowedOrigins);
    this.store = options.store;
    this.tokenPlacement = options.tokenPlacement;
    this.dpop = options.dpop;
    this.expiry = new ExpiryWatch(options.expirySkew);
    this.events$ = this.events.asObservable();
    this.refresh = new SharedRefresh(
      options,
      (event) => this.events.next(event),
      (outcome) => {
        if (outcome.ok) this.expiry.refreshed(outcome.tokens.accessToken);
        else if (outcome.sessionEnded) this.endReason = 'rejected';
      },
    );
    options.lock?.sessionEnds$?.subscribe((end) => this.endedElsewhere(end));
  }

  authorize<T>(attempt: (accessToken: string | null) => Observable<T>): Observable<T> {
    return defer(() => {
      // A running refresh is replacing the stored token: wait for it rather than send the old one.
      const running = this.refresh.running;
      if (running) return this.afterRefresh(running, attempt);
      const stored = readStoreNow(this.store);
      // The common case, a store that answers at once, goes straight on without an Observable
      // around the answer: the same steps as the `later` line, one layer fewer per request.
      if ('now' in stored) return this.sendWith(stored.now, attempt);
      return stored.later.pipe(switchMap((tokens) => this.sendWith(tokens, attempt)));
    });
  }

  async logout(): Promise<void> {
    this.endReason = 'logged-out';
    const cleared = new Subject<void>();
    this.refresh.end(this.endError(), cleared);
    const { revoke, refreshTimeout } = this.options;
    // An unreadable store leaves nothing to revoke; the local sign-out must still happen.
    const tokens = revoke ? await firstValueFrom(readStore(this.store)).catch(() => null) : null;
    // A store that fails to clear rejects logout(); the waiters fail all the same.
    await firstValueFrom(clearStore(this.store).pipe(finalize(() => cleared.next())));
    this.events.next({ type: 'logout' });
    this.options.lock?.announceSessionEnd?.('logout');
    if (!revoke || !tokens) return;
    const revocation = await revokeTokens(revoke, tokens, refreshTimeout);
    if (revocation) this.events.next({ type: 'revoke-failure', error: revocation.failure });
  }

  // Another tab or process ended the session: stop using its tokens, then say so once here.
  private endedElsewhere(end: SessionEnd): void {
    this.endReason = end === 'logout' ? 'logged-out' : 'rejected';
    const forgotten = forgetEndedSession(this.store).pipe(shareReplay({ bufferSize: 1, refCount: false }));
    this.refresh.end(this.endError(), forgotten);
    forgotten.subscribe(() =>
      this.events.next(
        end === 'logout'
          ? { type: 'logout' }
          : { type: 'session-expired', error: new AuthRefreshError('rejected', ENDED_ELSEWHERE) },
      ),
    );
  }

  // Why the session ended, as a refresh's waiters learn it.
  private endError(): AuthRefreshError {
    return this.endReason === 'rejected'
      ? new AuthRefreshError('rejected', ENDED_ELSEWHERE)
      : new AuthRefreshError('logged-out');
  }

  mayReceiveToken(url: string, page: PageLocation | null = currentPage()): boolean {
    return this.origins.allow(url, page);
  }

  // Sends the stored tokens, or refreshes first when they are known to be (nearly) expired.
  private sendWith<T>(
    tokens: AuthTokens | null,
    attempt: (accessToken: string | null) => Observable<T>,
  ): Observable<T> {
    if (tokens && this.expiry.isExpiring(tokens)) {
      // In the back-off after a failed refresh of these tokens: they go out while they are still
      // valid, and once expired the request fails with that refresh's error, calling no one.
      const failed = this.refresh.backingOff(tokens);
      if (!failed) return this.afterRefresh(this.refresh.join(tokens), attempt);
      if (this.expiry.hasExpired(tokens)) return throwError(() => failed);
    }
    return this.attemptOnce(tokens, attempt);
  }

  // Runs the attempt with the refreshed tokens, or fails with the refresh's error. One switchMap
  // per waiter, as that is what each of thousands of parked requests holds on to.
  private afterRefresh<T>(
    flight: Observable<RefreshOutcome>,
    attempt: (accessToken: string | null) => Observable<T>,
  ): Observable<T> {
    return flight.pipe(
      switchMap((outcome) =>
        outcome.ok ? this.attemptOnce(outcome.tokens, attempt) : throwError(() => outcome.error),
      ),
    );
  }

  private attemptOnce<T>(
    sent: AuthTokens | null,
    attempt: (accessToken: string | null) => Observable<T>,
  ): Observable<T> {
    const settledBefore = this.refresh.settledSoFar;
    return attempt(sent?.accessToken ?? null).pipe(
      // catchError tears the failed attempt down before the retry subscribes (its interceptors'
      // finalize run first). The retry is not wrapped in it again, so it runs at most once: no loops.
      catchError((error: unknown) =>
        (this.dpop?.asksForNewToken(error) ?? this.options.refreshOn.has(statusOf(error)))
          ? this.tokensAfterRejection(sent, error, settledBefore).pipe(switchMap((fresh) => attempt(fresh.accessToken)))
          : throwError(() => error),
      ),
    );
  }

  // Where a 401 starts a refresh: the tokens to retry with after the server refused `sent`, which
  // went out when `settledBefore` refreshes had settled.
  private tokensAfterRejection(
    sent: AuthTokens | null,
    rejection: unknown,
    settledBefore: number,
  ): Observable<AuthTokens> {
    return readStore(this.store).pipe(
      switchMap((current) => {
        if (current === null) {
          // Sent signed out: the 401 is the API's answer. Sent with a token: the session ended
          // while the request was out, and it fails as the requests that waited for the end did.
          return throwError(() => (sent === null ? rejection : new AuthRefreshError(this.endReason, rejection)));
        }
        // A refresh running now is replacing `current` as well: wait for it rather than resend a
        // token known to be stale (found by spec/auth/auth-session.property.spec.ts).
        if (current.accessToken !== sent?.accessToken && !this.refresh.running) return of(current); // refreshed already
        // A refresh of this very token failed while the request was out: its error, not a new refresh.
        const failed = this.refresh.failureSince(current, settledBefore);
        if (failed) return throwError(() => failed);
        return this.refresh.join(current).pipe(
          map((outcome) => {
            if (!outcome.ok) throw outcome.error;
            return outcome.tokens;
          }),
        );
      }),
    );
  }
}
