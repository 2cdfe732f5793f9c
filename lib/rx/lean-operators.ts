// catchError and map for the per-request path, where every request passes through a few of each.
// rxjs' operators give each subscriber its own closures (one per callback, plus the operator's
// state); these observers keep their state in fields and their callbacks on the prototype, and use
// only rxjs' public API. Same semantics as the operators.
import { from, Observable, type ObservableInput, type Observer, type Subscriber } from 'rxjs';

/** `source`, and on its error what `handle` returns for it instead: rxjs' `catchError`. */
export function recoverWith<T>(source: Observable<T>, handle: (error: unknown) => ObservableInput<T>): Observable<T> {
  return new Observable<T>((subscriber) => source.subscribe(new Recovering(subscriber, handle)));
}

/** Every value of `source` passed through `project`: rxjs' `map`. */
export function mapEach<T, R>(source: Observable<T>, project: (value: T) => R): Observable<R> {
  return new Observable<R>((subscriber) => source.subscribe(new Projecting(subscriber, project)));
}

class Recovering<T> implements Observer<T> {
  constructor(
    private readonly subscriber: Subscriber<T>,
    private readonly handle: (error: unknown) => ObservableInput<T>,
  ) {}

  next(value: T): void {
    this.subscriber.next(value);
  }

  error(error: unknown): void {
    let replacement: Observable<T>;
    try {
      replacement = from(this.handle(error));
    } catch (thrown) {
      this.subscriber.error(thrown);
      return;
    }
    // Given the downstream subscriber itself, the replacement ends it and is ended with it.
    replacement.subscribe(this.subscriber);
  }

  complete(): void {
    this.subscriber.complete();
  }
}

class Projecting<T, R> implements Observer<T> {
  constructor(
    private readonly subscriber: Subscriber<R>,
    private readonly project: (value: T) => R,
  ) {}

  next(value: T): void {
    let projected: R;
    try {
      projected = this.project(value);
    } catch (thrown) {
      this.subscriber.error(thrown);
      return;
    }
    this.subscriber.next(projected);
  }

  error(error: unknown): void {
    this.subscriber.error(error);
  }

  complete(): void {
    this.subscriber.complete();
  }
}
