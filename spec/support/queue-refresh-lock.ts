import { defer, finalize, type Observable, switchMap } from 'rxjs';
import type { RefreshLock } from '../../lib';

/**
 * A RefreshLock for two sessions of one process standing in for two processes: a FIFO queue. It
 * counts how often it was taken, so specs can tell the lock was used.
 */
export class QueueRefreshLock implements RefreshLock {
  taken = 0;
  private tail: Promise<void> = Promise.resolve();

  withLock<T>(work: Observable<T>): Observable<T> {
    return defer(() => {
      let release!: () => void;
      const previous = this.tail;
      this.tail = new Promise<void>((resolve) => (release = resolve));
      return previous.then(() => {
        this.taken++;
        return release;
      });
    }).pipe(switchMap((release) => work.pipe(finalize(release))));
  }
}
