import { AuthHttpError } from './auth-http-error';

/**
 * The storm guard (`auth.maxRefreshes`) refused to start a refresh: `count` refreshes already
 * started within the last `windowMs`. Requests see it as the `cause` of an {@link AuthRefreshError}
 * with reason `storm`; the tokens are kept. The guard counts refreshes started, failed or not, and
 * lets the next one start `retryAfterMs` from when it refused, once the oldest counted start has
 * left the window: until then every refresh is refused, even when the token endpoint is back.
 *
 * @example
 * ```ts
 * client.get('/me').subscribe({
 *   error: (error) => {
 *     if (error instanceof AuthRefreshError && error.cause instanceof RefreshStormError) {
 *       showBanner(`Sign-in paused; trying again in ${Math.ceil(error.cause.retryAfterMs / 1000)} s`);
 *     }
 *   },
 * });
 * ```
 */
export class RefreshStormError extends AuthHttpError {
  override name = 'RefreshStormError' as const;
  /** The guard's limit: at most this many refreshes start within `windowMs`. */
  readonly count: number;
  /** The guard's window, in ms. */
  readonly windowMs: number;
  /** How long after this refusal the guard lets a refresh start again, in ms. */
  readonly retryAfterMs: number;

  constructor(count: number, windowMs: number, retryAfterMs: number) {
    super(`${count} refreshes started within ${windowMs} ms: the token server is left alone for ${retryAfterMs} ms`);
    this.count = count;
    this.windowMs = windowMs;
    this.retryAfterMs = retryAfterMs;
  }
}
