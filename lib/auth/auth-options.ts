import type { ObservableInput } from 'rxjs';
import type { DPoP } from '../dpop/dpop';
import { statusOf } from '../errors/status-of';
import { oauthErrorOf } from '../oauth/oauth-error-of';
import type { RefreshLock } from './refresh-lock';
import { MemoryTokenStore, type AuthTokens, type TokenStore } from './token-store';
import { checkAllowedOrigin } from './token-origins';
import { checkErrorStatuses, checkFunction, checkMilliseconds } from '../option-checks';

/**
 * Where the access token goes: a header, prefixed by `scheme` when one is given (default
 * `{ header: 'Authorization', scheme: 'Bearer' }`), or a query parameter such as `access_token`.
 */
export type TokenPlacement = { readonly header: string; readonly scheme?: string } | { readonly queryParam: string };

/**
 * What a session tells its `refresh` function besides the tokens.
 *
 * @example
 * ```ts
 * const refresh = (tokens: AuthTokens, { dpop }: RefreshContext) =>
 *   dpop ? refreshWithProof(tokens, dpop) : plainRefresh(tokens);
 * ```
 */
export interface RefreshContext {
  /** The session's `auth.dpop`, to sign the token request with (as `oauth2Refresh` does); null without DPoP. */
  readonly dpop: DPoP | null;
}

/**
 * How the auth layer gets, sends and refreshes tokens. Only `refresh` is required.
 *
 * @example
 * ```ts
 * const auth: AuthOptions = {
 *   store: new MemoryTokenStore(),
 *   refresh: oauth2Refresh({ tokenUrl: 'https://auth.example.com/oauth/token', clientId: 'web' }),
 *   refreshOn: [401, 403],
 * };
 * ```
 */
export interface AuthOptions {
  /** Where tokens live; default a new {@link MemoryTokenStore}. */
  store?: TokenStore;
  /**
   * Gets new tokens from the current ones: an Observable (its first value is used) or a Promise.
   * Runs at most once at a time. Requests it makes must not go through this auth layer
   * (use `auth: false`, or a separate client), or they would wait on themselves until `refreshTimeout`.
   */
  refresh: (tokens: AuthTokens, context: RefreshContext) => ObservableInput<AuthTokens>;
  /**
   * Revokes the tokens at the server when `logout()` is called, after the store is cleared, such
   * as {@link oauth2Revoke}. Its failure is reported as a `revoke-failure` event; the user is
   * signed out locally either way.
   */
  revoke?: (tokens: AuthTokens) => ObservableInput<unknown>;
  /** Statuses that mean "the token was not accepted"; default `[401]`. Add 403 for APIs that use it. */
  refreshOn?: readonly number[];
  /** Where the token goes; default `{ header: 'Authorization', scheme: 'Bearer' }`. */
  tokenPlacement?: TokenPlacement;
  /**
   * Origins that may receive the token besides the page's own (in a browser) and the client's
   * (its `baseUrl`): exact origins such as `'https://api.example.com'`, or RegExps anchored with
   * `^` and `$`, which must match the whole origin (`/^https:\/\/[a-z]+\.example\.com$/`). A
   * request URL is resolved as the platform will send it (`new URL(url, document.baseURI)`)
   * before its origin is compared; a token is never sent anywhere else.
   */
  allowedOrigins?: ReadonlyArray<string | RegExp>;
  /** Refresh this many ms before the access token expires (when its expiry is known); default 30 000. */
  expirySkew?: number;
  /** Give up on a refresh after this many ms; default 30 000. `0` turns the bound off (not advised). */
  refreshTimeout?: number;
  /**
   * A guard against refresh storms (say, a server that rejects every fresh token): more than
   * `count` refreshes within `windowMs` fail with {@link AuthRefreshError} reason `storm` instead of
   * calling the token endpoint again. Default `{ count: 10, windowMs: 60_000 }`; `false` turns it off.
   */
  maxRefreshes?: { readonly count: number; readonly windowMs: number } | false;
  /**
   * How long a token whose refresh failed (the tokens kept: a 503, a timeout, `invalid_client`)
   * waits before it is refreshed again. Meanwhile a request that needs its refresh fails with that
   * failure's {@link AuthRefreshError}, calling no one; a request with newer tokens does not wait.
   * The wait starts at `firstMs` and doubles with each failure in a row, up to `maxMs`. Default
   * `{ firstMs: 1000, maxMs: 30_000 }`; `false` turns it off (the late 401s of a burst still get
   * their refresh's failure).
   */
  refreshBackoff?: { readonly firstMs: number; readonly maxMs: number } | false;
  /**
   * Whether a refresh failure means the grant itself is dead (the session is over and the store is
   * cleared) rather than a fault that leaves the tokens valid. Default: when the token endpoint's
   * answer carries an OAuth 2.0 `error` code (RFC 6749 section 5.2), only `invalid_grant`; a
   * wrong client secret (`invalid_client`) or scope (`invalid_scope`) keeps the tokens. An answer
   * without such a code counts when its `status` is 400, 401 or 403, be it an {@link HttpError},
   * rxjs' `AjaxError` or Angular's `HttpErrorResponse`.
   */
  isRefreshRejected?: (error: unknown) => boolean;
  /**
   * Binds the tokens to a key (RFC 9449), a `DPoP` from `rxjs-auth-http/dpop`: tokens go as
   * `Authorization: DPoP <token>` with a fresh proof per attempt, and an `oauth2Refresh` signs its
   * requests with the same key. Leaves `tokenPlacement` unset: a DPoP token never travels as Bearer.
   */
  dpop?: DPoP;
  /**
   * Shares the refresh with other processes or tabs that use the same store (say, a
   * `RedisRefreshLock` from 'rxjs-auth-http/redis'). Default none: one refresh at a time per session.
   */
  lock?: RefreshLock;
}

/** {@link AuthOptions} with every default applied: nothing here is optional. */
export interface ResolvedAuthOptions {
  readonly store: TokenStore;
  readonly refresh: (tokens: AuthTokens, context: RefreshContext) => ObservableInput<AuthTokens>;
  /** null when the server is not told about a logout. */
  readonly revoke: ((tokens: AuthTokens) => ObservableInput<unknown>) | null;
  readonly refreshOn: ReadonlySet<number>;
  readonly tokenPlacement: TokenPlacement;
  readonly allowedOrigins: ReadonlyArray<string | RegExp>;
  readonly expirySkew: number;
  readonly refreshTimeout: number;
  readonly isRefreshRejected: (error: unknown) => boolean;
  /** `count: Infinity` when the guard is off. */
  readonly maxRefreshes: { readonly count: number; readonly windowMs: number };
  /** `{ firstMs: 0, maxMs: 0 }` when it is off. */
  readonly refreshBackoff: { readonly firstMs: number; readonly maxMs: number };
  /** null without DPoP. */
  readonly dpop: DPoP | null;
  readonly lock: RefreshLock | null;
}

/** Checks and completes auth options once, at the boundary. Throws a TypeError on bad input. */
export function resolveAuthOptions(options: AuthOptions): ResolvedAuthOptions {
  checkFunction('auth.refresh', options?.refresh, 'that returns new tokens');
  const dpop = checkDPoP(options);
  return {
    store: options.store ?? new MemoryTokenStore(),
    refresh: options.refresh,
    revoke: checkRevoke(options.revoke),
    refreshOn: new Set(checkErrorStatuses('auth.refreshOn', options.refreshOn ?? [401])),
    tokenPlacement: checkPlacement(
      options.tokenPlacement ?? { header: 'Authorization', scheme: dpop ? 'DPoP' : 'Bearer' },
    ),
    allowedOrigins: (options.allowedOrigins ?? []).map(checkAllowedOrigin),
    expirySkew: checkMilliseconds('auth.expirySkew', options.expirySkew ?? 30_000),
    refreshTimeout: checkMilliseconds('auth.refreshTimeout', options.refreshTimeout ?? 30_000),
    isRefreshRejected: keyLossEnds(dpop, options.isRefreshRejected ?? isRejectedByTokenEndpoint),
    maxRefreshes: checkStormGuard(options.maxRefreshes ?? { count: 10, windowMs: 60_000 }),
    refreshBackoff: checkBackoff(options.refreshBackoff ?? { firstMs: 1000, maxMs: 30_000 }),
    dpop,
    lock: checkLock(options.lock),
  };
}

// A refresh token bound to a lost key can never be used again: the session is over, whoever refreshes.
function keyLossEnds(dpop: DPoP | null, isRejected: (error: unknown) => boolean): (error: unknown) => boolean {
  return dpop ? (error) => dpop.isKeyLost(error) || isRejected(error) : isRejected;
}

function checkDPoP(options: AuthOptions): DPoP | null {
  const { dpop } = options;
  if (dpop === undefined) return null;
  if (typeof dpop?.sendToTokenEndpoint !== 'function')
    throw new TypeError("auth.dpop must be a DPoP from 'rxjs-auth-http/dpop'");
  if (options.tokenPlacement !== undefined)
    throw new TypeError('auth.tokenPlacement cannot be set with auth.dpop: a DPoP token goes in Authorization: DPoP');
  return dpop;
}

// A refresh may fail with our HttpError, rxjs' AjaxError or Angular's HttpErrorResponse. A
// token endpoint that names its error says exactly whether the grant is dead (RFC 6749 5.2).
function isRejectedByTokenEndpoint(error: unknown): boolean {
  const code = oauthErrorOf(error);
  if (code !== undefined) return code === 'invalid_grant';
  const status = statusOf(error);
  return status === 400 || status === 401 || status === 403;
}

function checkRevoke(revoke: AuthOptions['revoke']): ResolvedAuthOptions['revoke'] {
  return revoke === undefined ? null : checkFunction('auth.revoke', revoke, 'such as oauth2Revoke(...)');
}

function checkPlacement(placement: TokenPlacement): TokenPlacement {
  const name = 'header' in placement ? placement.header : placement.queryParam;
  if (typeof name !== 'string' || name === '')
    throw new TypeError('auth.tokenPlacement needs a header or queryParam name');
  return placement;
}

function checkStormGuard(guard: { count: number; windowMs: number } | false): { count: number; windowMs: number } {
  if (guard === false) return { count: Infinity, windowMs: 0 };
  if (!(guard?.count >= 1)) throw new TypeError('auth.maxRefreshes.count must be at least 1');
  return { count: guard.count, windowMs: checkMilliseconds('auth.maxRefreshes.windowMs', guard.windowMs) };
}

function checkBackoff(backoff: { firstMs: number; maxMs: number } | false): { firstMs: number; maxMs: number } {
  if (backoff === false) return { firstMs: 0, maxMs: 0 };
  const firstMs = checkMilliseconds('auth.refreshBackoff.firstMs', backoff?.firstMs);
  const maxMs = checkMilliseconds('auth.refreshBackoff.maxMs', backoff.maxMs);
  if (maxMs < firstMs) throw new TypeError('auth.refreshBackoff.maxMs must be at least firstMs');
  return { firstMs, maxMs };
}

function checkLock(lock: RefreshLock | undefined): RefreshLock | null {
  if (lock === undefined) return null;
  if (typeof lock?.withLock !== 'function')
    throw new TypeError('auth.lock must be a RefreshLock (an object with withLock)');
  return lock;
}
