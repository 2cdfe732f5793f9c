import { defer, NEVER, type Observable, of, throwError, timer } from 'rxjs';
import { finalize, map, mergeMap } from 'rxjs/operators';
import { HttpError, type AuthTokens } from '../../../lib';

/** How one call to the token endpoint ends, and after how many frames (0: synchronously). */
export interface RefreshPlan {
  readonly delay: number;
  readonly result: 'ok' | 'fail' | 'reject' | 'never';
}

const request = { method: 'POST', url: 'http://token.test/token', headers: {} };
const httpError = (status: number) => new HttpError({ status, headers: {}, body: null, url: request.url, request });

/**
 * An in-memory token server and API whose answers arrive on rxjs' scheduler, so TestScheduler
 * controls every interleaving. This is the one place a fake is right: the properties are about
 * orderings a real network cannot be made to produce on demand. It rotates refresh tokens,
 * answers 401 to any token it no longer accepts, and records what the invariants need.
 */
export class VirtualTokenServer {
  refreshCalls = 0;
  /**
   * Refreshes called that have neither answered nor been cancelled: their token is being replaced.
   * A refresh counts as over once it answers, though its Observable is torn down a moment later.
   */
  refreshesPending = 0;
  maxRefreshesPending = 0;
  refreshTokenReuse = 0;
  /** Each access token sent, with the newest token the store held at that moment. */
  readonly sends: Array<{ sent: string | null; stored: string | null; duringRefresh: boolean; knownRefused: boolean }> =
    [];
  /** Failed refreshes so far, as the session reported them (`noteRefreshFailure`). */
  private refreshFailures = 0;
  /** Tokens refused (401) on a first attempt, with the failed-refresh count at that moment. */
  private readonly refused = new Map<string, number>();
  private serial = 0;
  private readonly valid = new Set<string>();
  private readonly liveRefreshTokens = new Set<string>();
  private readonly usedRefreshTokens = new Set<string>();
  private refreshIndex = 0;
  private latencyIndex = 0;

  constructor(
    private readonly refreshPlans: readonly RefreshPlan[],
    private readonly latencies: readonly number[],
  ) {}

  /** A fresh pair, as a login would issue. */
  issue(): AuthTokens {
    const n = ++this.serial;
    this.valid.add(`a${n}`);
    this.liveRefreshTokens.add(`r${n}`);
    return { accessToken: `a${n}`, refreshToken: `r${n}` };
  }

  /** Every access token issued so far stops being accepted. */
  expireAll(): void {
    this.valid.clear();
  }

  /** Called on each `refresh-failure` event of the session. */
  noteRefreshFailure(): void {
    this.refreshFailures++;
  }

  /** The `refresh` option of the session. */
  refresh = (tokens: AuthTokens): Observable<AuthTokens> =>
    defer(() => {
      this.refreshCalls++;
      this.refreshesPending++;
      this.maxRefreshesPending = Math.max(this.maxRefreshesPending, this.refreshesPending);
      let pending = true;
      const settle = () => {
        if (pending) this.refreshesPending--;
        pending = false;
      };
      const plan = this.refreshPlans[this.refreshIndex++] ?? { delay: 1, result: 'ok' };
      const answer = (): Observable<AuthTokens> => {
        settle(); // before the answer travels on: the waiters it wakes send at once
        if (plan.result === 'fail') return throwError(() => httpError(500));
        const presented = tokens.refreshToken ?? '';
        if (plan.result === 'reject' || !this.liveRefreshTokens.has(presented)) {
          if (this.usedRefreshTokens.has(presented)) this.refreshTokenReuse++;
          return throwError(() => httpError(400));
        }
        this.liveRefreshTokens.delete(presented);
        this.usedRefreshTokens.add(presented);
        return of(this.issue());
      };
      const answered =
        plan.result === 'never' ? NEVER : plan.delay === 0 ? answer() : timer(plan.delay).pipe(mergeMap(answer));
      return answered.pipe(finalize(settle));
    });

  /**
   * An API call with `token`, as `authorize` makes it; `stored` is what the store held at send
   * time. Only a first attempt's 401 reaches the refresh logic (a retry's 401 goes to the caller),
   * so only that one tells the session a token is dead.
   */
  api(token: string | null, stored: string | null, retry: boolean): Observable<string> {
    // Sending a token the caller already saw refused is only right after a refresh failed since.
    const knownRefused = token !== null && this.refused.get(token) === this.refreshFailures;
    this.sends.push({ sent: token, stored, duringRefresh: this.refreshesPending > 0, knownRefused });
    const latency =
      this.latencies.length === 0 ? 1 : (this.latencies[this.latencyIndex++ % this.latencies.length] as number);
    const answer = (): string => {
      if (token === null || !this.valid.has(token)) {
        if (token !== null && !retry && !this.refused.has(token)) this.refused.set(token, this.refreshFailures);
        throw httpError(401);
      }
      return `ok:${token}`;
    };
    return latency === 0 ? defer(() => of(answer())) : timer(latency).pipe(map(answer));
  }
}
