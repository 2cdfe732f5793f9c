import { RequestError } from '../errors/request-error';

/**
 * The DPoP key the session's tokens are bound to is gone (site data cleared, a new key store):
 * no request can prove possession any more, so the session ends. It is the `cause` of the
 * {@link rxjs-auth-http!AuthRefreshError} (reason `rejected`) every waiting request gets.
 *
 * @example
 * ```ts
 * client.get('/me').subscribe({
 *   error: (error) => {
 *     if (error instanceof AuthRefreshError && error.cause instanceof DPoPKeyLostError) router.navigate(['/login']);
 *   },
 * });
 * ```
 */
export class DPoPKeyLostError extends RequestError {
  override name = 'DPoPKeyLostError' as const;

  constructor() {
    super('the DPoP key the tokens are bound to is gone; sign in again', undefined);
  }
}
