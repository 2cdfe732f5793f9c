/** The part of the Web Locks API (`navigator.locks`) that {@link WebLocksRefreshLock} uses. */
export interface LockRequester {
  request<T>(name: string, options: { signal?: AbortSignal }, callback: () => T | PromiseLike<T>): Promise<T>;
}

/**
 * Web Locks' `request` for one tab only, for where `navigator.locks` is missing (an insecure
 * context, an old browser, Node): requests for one name are granted one at a time, in order, and
 * a request aborted by its `signal` before its turn leaves the queue. Tabs are not coordinated.
 */
class InTabLocks implements LockRequester {
  // The end of each name's queue: a request is granted once every earlier one has let go.
  private readonly tails = new Map<string, Promise<void>>();

  request<T>(name: string, options: { signal?: AbortSignal }, callback: () => T | PromiseLike<T>): Promise<T> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const before = this.tails.get(name) ?? Promise.resolve();
    let letGo: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (letGo = resolve));
    const tail = before.then(() => held);
    this.tails.set(name, tail);
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        reject(abortReason(signal));
        letGo(); // our turn passes straight to the next in line
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      void before.then(() => {
        if (signal?.aborted) return;
        signal?.removeEventListener('abort', onAbort);
        const running = Promise.resolve().then(callback);
        resolve(running);
        const done = () => {
          letGo();
          if (this.tails.get(name) === tail) this.tails.delete(name);
        };
        running.then(done, done);
      });
    });
  }
}

function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new DOMException('the lock request was aborted', 'AbortError');
}

/** One queue per tab (per JavaScript realm), shared by every lock of the same name in it. */
export const inTabLocks: LockRequester = new InTabLocks();
