import { defer, type Observable } from 'rxjs';
import { TestScheduler, type RunHelpers } from 'rxjs/testing';
import { retryWithBackoff } from '../../lib';

// Virtual time: the backoff waits run on asyncScheduler, which TestScheduler.run() drives.
describe('retryWithBackoff (marbles)', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    spyOn(Math, 'random').and.returnValue(0.5); // pins the jitter: each wait is half its bound
  });

  const unavailable = { status: 503, headers: {} };

  // Fails `failures` times with `error` (one frame each), then emits 'v' and completes.
  function failingThen(failures: number, error: unknown, run: RunHelpers): Observable<string> {
    let calls = 0;
    return defer(() => (++calls <= failures ? run.cold('-#', undefined, error) : run.cold('-(v|)', { v: 'v' })));
  }

  it('resubscribes after jittered exponential waits, then gives up with the last error', () => {
    scheduler.run((run) => {
      const source = run.cold<string>('-#', undefined, unavailable);
      // Error at 1, waits 0.5 * 100 = 50 -> resubscribes at 51; error at 52, waits 0.5 * 200 -> 152.
      run.expectObservable(source.pipe(retryWithBackoff({ baseDelayMs: 100 }))).toBe('153ms #', undefined, unavailable);
      run.expectSubscriptions(source.subscriptions).toBe(['^!', '51ms ^!', '152ms ^!']);
    });
  });

  it('emits the value of the first attempt that succeeds', () => {
    scheduler.run((run) => {
      run
        .expectObservable(failingThen(1, unavailable, run).pipe(retryWithBackoff({ baseDelayMs: 100 })))
        .toBe('52ms (v|)', { v: 'v' });
    });
  });

  it('waits as long as Retry-After asks on a 429', () => {
    scheduler.run((run) => {
      const tooMany = { status: 429, headers: { 'retry-after': '2' } };
      run.expectObservable(failingThen(1, tooMany, run).pipe(retryWithBackoff(1))).toBe('2002ms (v|)', { v: 'v' });
    });
  });

  it('does not retry when Retry-After asks for more than maxRetryAfterMs, or past maxElapsedMs', () => {
    scheduler.run((run) => {
      const longWait = { status: 503, headers: { 'retry-after': '120' } };
      run.expectObservable(failingThen(1, longWait, run).pipe(retryWithBackoff())).toBe('-#', undefined, longWait);
      const shortWait = { status: 503, headers: { 'retry-after': '1' } };
      run
        .expectObservable(failingThen(1, shortWait, run).pipe(retryWithBackoff({ maxElapsedMs: 500 })))
        .toBe('-#', undefined, shortWait);
    });
  });

  it('passes a 401 and other non-transient errors straight through', () => {
    scheduler.run((run) => {
      for (const status of [401, 404]) {
        const source = run.cold<string>('-#', undefined, { status });
        run.expectObservable(source.pipe(retryWithBackoff())).toBe('-#', undefined, { status });
        run.expectSubscriptions(source.subscriptions).toBe('^!');
      }
    });
  });

  it('cancels the wait on unsubscribe: no attempt starts afterwards', () => {
    scheduler.run((run) => {
      const source = run.cold<string>('-#', undefined, unavailable);
      // Unsubscribes at frame 30, during the 50-frame wait that began at frame 1.
      run.expectObservable(source.pipe(retryWithBackoff({ baseDelayMs: 100 })), '30ms !').toBe('');
      // One subscription only: the wait, due at 51, never resubscribed.
      run.expectSubscriptions(source.subscriptions).toBe('^!');
    });
  });

  it('leaves the source alone with a limit of 0', () => {
    scheduler.run((run) => {
      const source = run.cold<string>('-#', undefined, unavailable);
      run.expectObservable(source.pipe(retryWithBackoff(0))).toBe('-#', undefined, unavailable);
      run.expectSubscriptions(source.subscriptions).toBe('^!');
    });
  });

  it('gives each subscription its own budget', () => {
    scheduler.run((run) => {
      const source = run.cold<string>('-#', undefined, unavailable);
      const retried = source.pipe(retryWithBackoff({ limit: 1, baseDelayMs: 10 }));
      run.expectObservable(retried).toBe('7ms #', undefined, unavailable);
      run.expectObservable(retried, '100ms ^').toBe('107ms #', undefined, unavailable);
      run.expectSubscriptions(source.subscriptions).toBe(['^!', '6ms ^!', '100ms ^!', '106ms ^!']);
    });
  });
});
