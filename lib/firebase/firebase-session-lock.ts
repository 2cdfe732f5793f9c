import { defer, merge, NEVER, type Observable } from 'rxjs';
import { filter, finalize, map, share } from 'rxjs/operators';
import type { RefreshLock, RefreshLockLimits, SessionEnd } from '../index';
import type { FirebaseIdTokenStore } from './firebase-id-token-store';

/**
 * The {@link RefreshLock} a Firebase session runs its refreshes in: it tells the store while a
 * refresh runs (a sign-out then belongs to the refresh's outcome), reports a Firebase sign-out as
 * a `logout` end, and otherwise hands everything to the app's own lock, if any (say, a
 * `WebLocksRefreshLock` for tabs). Without one, the session's own single flight is the only lock.
 */
export class FirebaseSessionLock implements RefreshLock {
  readonly sessionEnds$: Observable<SessionEnd>;

  constructor(
    private readonly store: FirebaseIdTokenStore,
    private readonly inner: RefreshLock | undefined,
  ) {
    this.sessionEnds$ = merge(
      store.signOuts$.pipe(map((): SessionEnd => 'logout')),
      // Another tab's end reaches this one twice: from the app's lock at once, and from this tab's
      // SDK when it sees the shared sign-out. Whichever comes first ends the session; the other
      // finds nothing left to end.
      (inner?.sessionEnds$ ?? NEVER).pipe(filter(() => store.forget())),
    ).pipe(share()); // one forget() per end, however many sessions were given these options
  }

  withLock<T>(work: Observable<T>, limits: RefreshLockLimits): Observable<T> {
    return defer(() => {
      const done = this.store.refreshing();
      return (this.inner ? this.inner.withLock(work, limits) : work).pipe(finalize(done));
    });
  }

  // Each tab's SDK reports its own Firebase sign-out: only the app's lock shares an end.
  announceSessionEnd(end: SessionEnd): void {
    this.inner?.announceSessionEnd?.(end);
  }
}
