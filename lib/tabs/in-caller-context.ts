import type { Observer, Subscriber } from 'rxjs';

/**
 * An observer that hands what it receives on to `subscriber` from a Promise made now, when the
 * subscriber subscribes. zone.js patches the global Promise, so the hand-over runs in the zone that
 * subscribed (Angular's, which then runs change detection) rather than the root zone a native
 * Web Locks callback runs in. Values are held until the source settles: a refresh emits one.
 */
export function inCallerContext<T>(subscriber: Subscriber<T>): Observer<T> {
  const values: T[] = [];
  let settled = false;
  let settle: (end: { readonly error: unknown } | null) => void = () => undefined;
  void new Promise<{ readonly error: unknown } | null>((resolve) => (settle = resolve)).then((end) => {
    for (const value of values) subscriber.next(value);
    if (end) subscriber.error(end.error);
    else subscriber.complete();
  });
  const once = (end: { readonly error: unknown } | null) => {
    if (settled) return;
    settled = true;
    settle(end);
  };
  return {
    next: (value) => {
      if (!settled) values.push(value);
    },
    error: (error: unknown) => once({ error }),
    complete: () => once(null),
  };
}
