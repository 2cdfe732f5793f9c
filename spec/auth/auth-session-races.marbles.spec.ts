import { type Observable, timer } from 'rxjs';
import { map } from 'rxjs/operators';
import { TestScheduler } from 'rxjs/testing';
import { createAuthSession, MemoryTokenStore, type AuthTokens } from '../../lib';

// Races the property-based spec found, pinned down as readable marble tests.
describe('AuthSession races (marbles)', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('makes a late 401 for an old token wait for the refresh that is replacing the current one', () => {
    scheduler.run((run) => {
      const store = new MemoryTokenStore({ accessToken: 't1', refreshToken: 'r1' });
      let issued = 1;
      const accepted = new Set<string>(); // t1 is already dead
      const refresh = (): Observable<AuthTokens> => {
        const n = ++issued;
        accepted.add(`t${n}`);
        return run.cold('--(t|)', { t: { accessToken: `t${n}`, refreshToken: `r${n}` } });
      };
      const session = createAuthSession({ store, refresh });
      const sent: string[] = [];
      // Answers after `latency` frames: the token is checked when the answer leaves.
      const api = (latency: number) => (token: string | null) => {
        sent.push(`${token}@${scheduler.now()}`);
        return timer(latency).pipe(
          map(() => {
            if (token === null || !accepted.has(token)) throw Object.assign(new Error('unauthorized'), { status: 401 });
            return `ok:${token}`;
          }),
        );
      };
      // A: t1 at 0, answered at 7, while the second refresh runs.
      run.expectObservable(session.authorize(api(7))).toBe('15ms (v|)', { v: 'ok:t3' });
      // B: t1 at 0, 401 at 1; refresh 1 runs 1-3 and gives t2; B's retry succeeds at 4.
      run.expectObservable(session.authorize(api(1))).toBe('4ms (v|)', { v: 'ok:t2' });
      timer(5).subscribe(() => accepted.delete('t2')); // t2 expires at 5
      // C: sends t2 at 5, 401 at 6; refresh 2 runs 6-8 and gives t3.
      run.expectObservable(session.authorize(api(1)), '5ms ^').toBe('9ms (v|)', { v: 'ok:t3' });
      run.flush();
      expect(issued).toBe(3);
      // A's retry waited for t3 instead of resending t2 during refresh 2.
      expect(sent.filter((entry) => entry.startsWith('t2'))).toEqual(['t2@3', 't2@5']);
    });
  });
});
