import { Subject } from 'rxjs';
import type { AuthTokens, TokenStore } from '../index';
import type { FirebaseAuthLike, FirebaseUserLike } from './firebase-auth-like';

/**
 * A {@link TokenStore} that holds the Firebase SDK's current ID token, kept in step with the SDK
 * through `onIdTokenChanged`, and reports a Firebase sign-out on `signOuts$`. A sign-out that
 * arrives while a refresh runs is held back until that refresh settles: the SDK signs a disabled
 * user out before `getIdToken(true)` rejects, and that rejection, not the sign-out, must end the
 * session (`session-expired`, every waiter `rejected`).
 */
export class FirebaseIdTokenStore implements TokenStore {
  /** A Firebase sign-out that ended a session this store held; never one held back by a refresh. */
  readonly signOuts$ = new Subject<void>();
  private tokens: AuthTokens | null = null;
  /**
   * The SDK's token while it is being read after a change (and before the SDK first reported):
   * a request that asks meanwhile waits for it rather than go out with the token just replaced.
   */
  private pending: Promise<AuthTokens | null> | null;
  private refreshes = 0;
  private signedOutMidRefresh = false;

  constructor(auth: FirebaseAuthLike) {
    let initial: (tokens: AuthTokens | null | Promise<AuthTokens | null>) => void = () => undefined;
    this.pending = new Promise((resolve) => (initial = resolve));
    // The SDK calls back once it has loaded its persisted user, then on every change of user or token.
    auth.onIdTokenChanged((user) => {
      this.changed(user);
      initial(this.pending ?? this.tokens);
    });
  }

  get(): AuthTokens | null | Promise<AuthTokens | null> {
    return this.pending ?? this.tokens;
  }

  set(tokens: AuthTokens): void {
    this.tokens = tokens;
  }

  clear(): void {
    this.tokens = null;
    this.pending = null;
  }

  /** Drops the token because the session ended elsewhere; answers whether there was one to drop. */
  forget(): boolean {
    const held = this.tokens !== null;
    this.clear();
    return held;
  }

  /** Marks a refresh as running, until the returned function is called. */
  refreshing(): () => void {
    this.refreshes++;
    return () => {
      if (--this.refreshes > 0 || !this.signedOutMidRefresh) return;
      this.signedOutMidRefresh = false;
      // The refresh settled without ending the session (say, it timed out): the sign-out ends it now.
      if (this.tokens !== null) this.signedOut();
    };
  }

  private changed(user: FirebaseUserLike | null): void {
    if (user !== null) {
      this.pending = this.read(user);
      return;
    }
    this.pending = null;
    if (this.tokens === null) return; // nothing held: signed out already, or never signed in
    if (this.refreshes > 0) this.signedOutMidRefresh = true;
    else this.signedOut();
  }

  private signedOut(): void {
    this.tokens = null;
    this.signOuts$.next();
  }

  // The token is fresh right after a change, so getIdToken() answers from the SDK's memory: no
  // request to the token endpoint (an expired persisted token is refreshed once, here).
  private read(user: FirebaseUserLike): Promise<AuthTokens | null> {
    const read: Promise<AuthTokens | null> = user.getIdToken().then(
      (accessToken) => {
        if (this.pending === read) {
          this.tokens = { accessToken };
          this.pending = null;
        }
        return this.get(); // a newer change may have superseded this read
      },
      // The SDK signs out a user it cannot refresh, and tells us so with a call of its own.
      () => {
        if (this.pending === read) this.pending = null;
        return this.get();
      },
    );
    return read;
  }
}
