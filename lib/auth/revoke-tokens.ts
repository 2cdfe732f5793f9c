import { defer, firstValueFrom, from, identity, type ObservableInput, throwError } from 'rxjs';
import { timeout } from 'rxjs/operators';
import type { AuthTokens } from './token-store';

/**
 * Tells the server to revoke `tokens` (`auth.revoke`), bounded by `timeoutMs` (0: unbounded).
 * Never rejects: it answers the failure, or undefined when the server was told, since a logout
 * must sign the user out locally whatever the server says.
 */
export async function revokeTokens(
  revoke: (tokens: AuthTokens) => ObservableInput<unknown>,
  tokens: AuthTokens,
  timeoutMs: number,
): Promise<{ readonly failure: unknown } | undefined> {
  const revoked = defer(() => from(revoke(tokens))).pipe(
    timeoutMs > 0
      ? timeout({ first: timeoutMs, with: () => throwError(() => new Error('the revocation did not answer in time')) })
      : identity,
  );
  return firstValueFrom(revoked, { defaultValue: undefined }).then(
    () => undefined,
    (failure: unknown) => ({ failure }),
  );
}
