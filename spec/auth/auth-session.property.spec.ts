import fc from 'fast-check';
import { timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { AuthRefreshError, createAuthSession, MemoryTokenStore, type AuthEvent } from '../../lib';
import { VirtualTokenServer, type RefreshPlan } from './support/virtual-token-server';

// Random interleavings of requests, expiries, 401s, refresh outcomes, unsubscribes, logouts and
// logins, run in virtual time against an in-memory server. Each run checks the coordinator's invariants.

interface Scenario {
  readonly initialTokenValid: boolean;
  /** Each request: when it is subscribed, and when (frames later) the caller unsubscribes, if ever. */
  readonly requests: ReadonlyArray<{ readonly at: number; readonly cancelAfter: number | null }>;
  /** Frames at which the server stops accepting every token issued so far. */
  readonly expiries: readonly number[];
  readonly refreshPlans: readonly RefreshPlan[];
  /** API answer times in frames, used in turn (0: synchronous). */
  readonly latencies: readonly number[];
  /** `logout()`, or a login that writes fresh tokens straight into the store. */
  readonly sessionChanges: ReadonlyArray<{ readonly at: number; readonly kind: 'logout' | 'login' }>;
}

const REFRESH_TIMEOUT = 20;

const scenario: fc.Arbitrary<Scenario> = fc.record({
  initialTokenValid: fc.boolean(),
  requests: fc.array(
    fc.record({
      at: fc.integer({ min: 0, max: 50 }),
      cancelAfter: fc.oneof(
        { arbitrary: fc.constant(null), weight: 3 },
        { arbitrary: fc.integer({ min: 0, max: 30 }), weight: 1 },
      ),
    }),
    {
      minLength: 1,
      maxLength: 16,
      size: 'medium',
    },
  ),
  expiries: fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 4 }),
  refreshPlans: fc.array(
    fc.record({
      delay: fc.integer({ min: 0, max: REFRESH_TIMEOUT + 2 }),
      result: fc.constantFrom<RefreshPlan['result']>('ok', 'ok', 'ok', 'fail', 'reject', 'never'),
    }),
    { maxLength: 6 },
  ),
  latencies: fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 8 }),
  sessionChanges: fc.oneof(
    { arbitrary: fc.constant([]), weight: 2 },
    {
      arbitrary: fc.array(
        fc.record({
          at: fc.integer({ min: 0, max: 50 }),
          kind: fc.constantFrom<'logout' | 'login'>('logout', 'login'),
        }),
        { maxLength: 3 },
      ),
      weight: 1,
    },
  ),
});

interface RequestRecord {
  values: number;
  errors: number;
  completes: number;
  cancelled: boolean;
  error?: unknown;
}

interface Outcome {
  readonly server: VirtualTokenServer;
  readonly records: readonly RequestRecord[];
  readonly events: readonly AuthEvent[];
}

function play(s: Scenario): Outcome {
  const server = new VirtualTokenServer(s.refreshPlans, s.latencies);
  const records: RequestRecord[] = [];
  const events: AuthEvent[] = [];
  new TestScheduler(() => undefined).run(() => {
    const initial = server.issue();
    if (!s.initialTokenValid) server.expireAll();
    const store = new MemoryTokenStore(initial);
    const session = createAuthSession({
      store,
      refresh: server.refresh,
      refreshTimeout: REFRESH_TIMEOUT,
      maxRefreshes: false,
    });
    session.events$.subscribe((event) => {
      events.push(event);
      if (event.type === 'refresh-failure') server.noteRefreshFailure();
    });
    for (const at of s.expiries) timer(at).subscribe(() => server.expireAll());
    for (const change of s.sessionChanges) {
      timer(change.at).subscribe(() => (change.kind === 'logout' ? void session.logout() : store.set(server.issue())));
    }
    for (const request of s.requests) {
      const record: RequestRecord = { values: 0, errors: 0, completes: 0, cancelled: false };
      records.push(record);
      timer(request.at).subscribe(() => {
        let attempts = 0;
        const attempt = (token: string | null) => server.api(token, store.get()?.accessToken ?? null, attempts++ > 0);
        const subscription = session.authorize(attempt).subscribe({
          next: () => record.values++,
          error: (error: unknown) => {
            record.errors++;
            record.error = error;
          },
          complete: () => record.completes++,
        });
        if (request.cancelAfter !== null) {
          timer(request.cancelAfter).subscribe(() => {
            if (record.errors + record.completes === 0) record.cancelled = true;
            subscription.unsubscribe();
          });
        }
      });
    }
  });
  return { server, records, events };
}

function check(s: Scenario, { server, records, events }: Outcome): void {
  if (server.maxRefreshesPending > 1) throw new Error(`${server.maxRefreshesPending} refreshes ran at once`);
  records.forEach((record, i) => {
    const ends = record.errors + record.completes;
    if (ends > 1 || record.values > 1) throw new Error(`request ${i} ended ${ends} times with ${record.values} values`);
    if (ends === 0 && !record.cancelled) throw new Error(`request ${i} never ended`);
    if (record.completes === 1 && record.values !== 1) throw new Error(`request ${i} completed without its value`);
    // A caller learns of a refused token (the retry's 401) or of a failed refresh; nothing else.
    if (
      record.errors === 1 &&
      !(record.error instanceof AuthRefreshError) &&
      (record.error as { status?: unknown }).status !== 401
    ) {
      throw new Error(`request ${i} failed with ${String(record.error)}`);
    }
  });
  const asyncApi = s.latencies.every((latency) => latency > 0);
  for (const { sent, stored, duringRefresh, knownRefused } of server.sends) {
    // Stronger than "never older than the newest stored": exactly the stored one (none when signed out).
    if (sent !== stored) throw new Error(`sent ${sent} while ${stored} was stored`);
    // These two only hold when answers are asynchronous, as on a network: a 401 answered
    // synchronously to one waiter starts the next refresh while the other waiters are still being
    // handed the last refresh's token, which they then send once more (and recover from).
    if (duringRefresh && asyncApi) throw new Error(`sent ${sent} while a refresh was replacing it`);
    if (knownRefused && asyncApi) throw new Error(`sent ${sent} again after a 401, with no failed refresh since`);
  }
  const expiries = s.expiries.length + (s.initialTokenValid ? 0 : 1);
  const failed = events.filter((event) => event.type === 'refresh-failure').length;
  if (server.refreshCalls > expiries + failed)
    throw new Error(`${server.refreshCalls} refreshes for ${expiries} expiries and ${failed} failed refreshes`);
  if (server.refreshTokenReuse > 0)
    throw new Error(`a rotated refresh token was presented again ${server.refreshTokenReuse} times`);
}

/** Runs the property and fails the spec with fast-check's report (seed, shrunk counterexample). */
function expectToHold<Ts>(property: fc.IProperty<Ts>, parameters: fc.Parameters<Ts>): void {
  const details = fc.check(property, parameters);
  expect(details.failed)
    .withContext(fc.defaultReportMessage(details) ?? '')
    .toBeFalse();
  expect(details.numRuns).toBe(parameters.numRuns ?? 100);
}

describe('AuthSession under random interleavings (property-based, virtual time)', () => {
  it('keeps its invariants: one refresh at a time, every request ends once, never an old token, refreshes bounded', () => {
    expectToHold(
      fc.property(scenario, (s) => check(s, play(s))),
      {
        numRuns: 3000,
        examples: [
          [
            // The shrunk counterexample that found a bug: A and B send a1 (already dead) at 0; B's
            // 401 at 1 starts refresh 1 (a2 at 3); C waits for it and sends a2; the expiry at 4
            // kills a2; C's 401 starts refresh 2; A's 401 for a1 arrives at 5, while refresh 2
            // runs. A used to resend a2 (stored, but being replaced) and fail with its 401; it now
            // waits for refresh 2.
            {
              initialTokenValid: false,
              requests: [
                { at: 0, cancelAfter: null },
                { at: 0, cancelAfter: null },
                { at: 2, cancelAfter: null },
              ],
              expiries: [4],
              refreshPlans: [{ delay: 2, result: 'ok' }],
              latencies: [5, 1],
              sessionChanges: [],
            },
          ],
        ],
      },
    );
  });

  it('lets every request that is not cancelled succeed when the only expiry is the first token and refreshes succeed', () => {
    const calm = scenario.map((s): Scenario => ({
      ...s,
      initialTokenValid: false,
      expiries: [],
      sessionChanges: [],
      refreshPlans: s.refreshPlans.map((plan) => ({ delay: Math.min(plan.delay, REFRESH_TIMEOUT - 1), result: 'ok' })),
    }));
    expectToHold(
      fc.property(calm, (s) => {
        const outcome = play(s);
        check(s, outcome);
        outcome.records.forEach((record, i) => {
          if (!record.cancelled && record.values !== 1)
            throw new Error(`request ${i} failed: ${JSON.stringify(record.error)}`);
        });
        if (outcome.server.refreshCalls > 1) throw new Error(`${outcome.server.refreshCalls} refreshes for one expiry`);
      }),
      { numRuns: 200 },
    );
  });
});
