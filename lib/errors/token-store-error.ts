import { AuthHttpError } from './auth-http-error';

/**
 * The token store threw or rejected while the client read, wrote or cleared tokens. `cause` is
 * what the store threw; `operation` says which call failed.
 *
 * @example
 * ```ts
 * client.get('/me').subscribe({
 *   error: (error) =>
 *     error instanceof TokenStoreError && console.error(`store ${error.operation} failed`, error.cause),
 * });
 * ```
 */
export class TokenStoreError extends AuthHttpError {
  override name = 'TokenStoreError' as const;
  /** The store method that failed. */
  readonly operation: 'get' | 'set' | 'clear';

  constructor(operation: 'get' | 'set' | 'clear', cause: unknown) {
    super(`the token store failed to ${operation} tokens`, { cause });
    this.operation = operation;
  }
}
