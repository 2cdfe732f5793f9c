import type { AuthOptions, AuthTokens } from '../index';
import type { FirebaseAuthLike } from './firebase-auth-like';
import { FirebaseIdTokenStore } from './firebase-id-token-store';
import { FirebaseSessionLock } from './firebase-session-lock';

/**
 * The auth options {@link fromFirebaseAuth} leaves to the app: `refreshOn` (add 403 for an API
 * that answers it), `allowedOrigins`, `lock` (a `WebLocksRefreshLock` to share refreshes across
 * tabs), the timeouts. The store, the refresh, the revocation and which failures end the session
 * come from Firebase.
 *
 * @example
 * ```ts
 * const options: FromFirebaseAuthOptions = { refreshOn: [401, 403], allowedOrigins: ['https://api.example.com'] };
 * ```
 */
export type FromFirebaseAuthOptions = Omit<AuthOptions, 'store' | 'refresh' | 'revoke' | 'isRefreshRejected'>;

// The SDK's codes for a user who must sign in again: disabled, deleted, or whose credential was
// revoked or expired. (The Auth emulator answers invalid-refresh-token for a deleted user, where
// Google's servers answer USER_NOT_FOUND, which the SDK reports as user-token-expired.)
const SESSION_ENDING_CODES: ReadonlySet<string> = new Set([
  'auth/user-disabled',
  'auth/user-token-expired',
  'auth/user-not-found',
  'auth/invalid-user-token',
  'auth/invalid-refresh-token',
]);

class SignedOutDuringRefresh extends Error {
  override name = 'SignedOutDuringRefresh';
  constructor() {
    super('signed out of Firebase while the ID token was being refreshed');
  }
}

/**
 * Turns a Firebase `Auth` into the auth options of a client or session: the current ID token as
 * the stored token, kept in step with the SDK (a refresh the SDK makes itself is used by the next
 * request); `getIdToken(true)` as the refresh, once per burst of 401s; a disabled, deleted or
 * expired user, or a sign-out while the refresh runs, ends the session (`session-expired` once,
 * every waiting request an `AuthRefreshError` `rejected`); a Firebase sign-out at any other
 * time ends it with a `logout` event; and the session's `logout()` signs out of Firebase. The
 * `firebase` package is not imported: any object shaped like {@link FirebaseAuthLike} will do.
 *
 * @example
 * ```ts
 * import { getAuth } from 'firebase/auth';
 * import { createHttpClient } from 'rxjs-auth-http';
 * import { fromFirebaseAuth } from 'rxjs-auth-http/firebase';
 *
 * const client = createHttpClient({
 *   baseUrl: 'https://api.example.com',
 *   auth: fromFirebaseAuth(getAuth(app), { refreshOn: [401, 403] }),
 * });
 * ```
 */
export function fromFirebaseAuth(auth: FirebaseAuthLike, options: FromFirebaseAuthOptions = {}): AuthOptions {
  if (typeof auth?.onIdTokenChanged !== 'function' || typeof auth.signOut !== 'function') {
    throw new TypeError("fromFirebaseAuth: auth must be a Firebase Auth, such as getAuth(app) from 'firebase/auth'");
  }
  const store = new FirebaseIdTokenStore(auth);
  return {
    ...options,
    store,
    refresh: () => refreshIdToken(auth),
    revoke: () => auth.signOut(),
    isRefreshRejected: endsFirebaseSession,
    lock: new FirebaseSessionLock(store, options?.lock),
  };
}

async function refreshIdToken(auth: FirebaseAuthLike): Promise<AuthTokens> {
  const user = auth.currentUser;
  if (user === null) throw new SignedOutDuringRefresh();
  let accessToken: string;
  try {
    accessToken = await user.getIdToken(true);
  } catch (error) {
    // The SDK signs out a disabled or expired user itself, but keeps one whose refresh token it was
    // told is invalid: the app's Firebase state must agree that the session is over.
    if (endsFirebaseSession(error) && auth.currentUser?.uid === user.uid) await auth.signOut().catch(() => undefined);
    throw error;
  }
  // A token of a user who is no longer signed in must not revive the session.
  if (auth.currentUser?.uid !== user.uid) throw new SignedOutDuringRefresh();
  return { accessToken };
}

function endsFirebaseSession(error: unknown): boolean {
  if (error instanceof SignedOutDuringRefresh) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && SESSION_ENDING_CODES.has(code);
}
