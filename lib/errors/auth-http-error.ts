/**
 * The base class of every error this library emits, so one `instanceof` check catches them all:
 * {@link RequestError} and its subclasses for what went wrong with a request, {@link TokenStoreError}
 * and {@link RefreshLockError} for the store and the lock a session relies on. Each names the failure
 * in `name` and keeps the underlying error in the standard `cause`. Messages never contain a token.
 *
 * @example
 * ```ts
 * client.get('/me').subscribe({
 *   error: (error) => {
 *     if (error instanceof AuthHttpError) console.warn(error.name, error.toJSON());
 *   },
 * });
 * ```
 */
export class AuthHttpError extends Error {
  override name: string = 'AuthHttpError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }

  /**
   * A plain, secret-free object for loggers that serialize errors: `name`, `message`, and the
   * fields the error's class declares (`status`, `reason`, `request`...), which hold nothing secret.
   */
  toJSON(): Record<string, unknown> {
    // The declared fields are the instance's own enumerable properties; `message`, `stack` and
    // `cause` are not (the standard makes them so), and a logger prints a cause on its own.
    return Object.assign<Record<string, unknown>, this>({ name: this.name, message: this.message }, this);
  }
}
