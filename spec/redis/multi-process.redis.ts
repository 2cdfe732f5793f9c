import { RedisTokenStore } from '../../lib/redis';
import { startTestAuthServer, type TestAuthServer } from '../../lib/testing/index';
import { allClientNames, redisClientKind, type ClientName } from './support/redis-clients';
import { RedisServer } from './support/redis-server';
import { until } from './support/until';
import { WorkerProcess } from './support/worker-process';

// Short enough to keep the kill and pause cases quick; the lease outlasts the refresh timeout, as
// RedisRefreshLock requires. The 8-process run, which loads this machine most, gets longer ones:
// a refresh that times out may still be answered by the server later, which spends its refresh token.
const short = { refreshTimeout: 2_000, leaseMs: 3_000 };
const long = { refreshTimeout: 15_000, leaseMs: 20_000 };
const { refreshTimeout, leaseMs } = short;

describe('processes sharing one credential through Redis', () => {
  let redis: RedisServer;
  let api: TestAuthServer;
  let workers: WorkerProcess[];
  let closers: Array<() => Promise<void>>;
  let key: string;

  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(() => redis.close());
  beforeEach(async () => {
    api = await startTestAuthServer();
    workers = [];
    closers = [];
    key = `{multi:${Math.random().toString(36).slice(2)}}:tokens`;
  });
  // Each worker's close is bounded by its own parts (2 s per subscription, 5 s per client), not by
  // jasmine's default 5 s: after a Redis restart, on a loaded machine, one ran past it.
  afterEach(async () => {
    await Promise.all(workers.map((worker) => worker.close()));
    await Promise.all(closers.map((close) => close()));
    await api.close();
  }, 30_000);

  async function start(client: ClientName, count: number, limits = short): Promise<WorkerProcess[]> {
    const started = await Promise.all(
      Array.from({ length: count }, () =>
        WorkerProcess.start({ client, target: redis.target, apiUrl: api.url, key, ...limits }),
      ),
    );
    workers.push(...started);
    return started;
  }

  // An announcement reaches only the processes subscribed when it is published: wait until Redis
  // counts every worker's subscription to the key's session-end channel.
  async function subscribedToSessionEnds(count: number): Promise<void> {
    const channel = `${key}:session-ends`;
    const counted = async () => (await redis.command(['PUBSUB', 'NUMSUB', channel])).endsWith(`:${count}`);
    await until(counted, 20_000, 'every subscription');
  }

  async function eventsOf(worker: WorkerProcess): Promise<readonly string[]> {
    worker.send({ type: 'events' });
    return (await worker.next('events')).events;
  }

  // The parent's own store on the key: it signs in, as a login would, and reads what the workers left.
  async function parentStore(client: ClientName): Promise<RedisTokenStore> {
    const connection = await redisClientKind(client).connect(redis.target);
    const store = new RedisTokenStore(connection, { key });
    closers.push(async () => {
      await store.close();
      await connection.closeForSpec();
    });
    return store;
  }

  const report = (what: string, figures: Record<string, number | string>) =>
    console.log(
      `\n  [redis] ${what}: ${Object.entries(figures)
        .map(([name, value]) => `${name}=${value}`)
        .join(' ')}`,
    );

  for (const client of allClientNames) {
    it(`${client}: 8 processes x 50 concurrent requests across 5 expiries call the token endpoint once per expiry`, async () => {
      const store = await parentStore(client);
      await store.set(api.issueTokens());
      const pool = await start(client, 8, long);
      const began = Date.now();
      let failures = 0;
      let requests = 0;
      for (let expiry = 1; expiry <= 5; expiry++) {
        api.expireAccessTokens();
        const bursts = await Promise.all(pool.map((worker) => worker.burst(50)));
        requests += bursts.reduce((sum, burst) => sum + burst.ok + burst.failures.length, 0);
        failures += bursts.reduce((sum, burst) => sum + burst.failures.length, 0);
        expect(bursts.flatMap((burst) => burst.failures)).toEqual([]);
        // Every process ended on the one new token.
        expect(new Set(bursts.flatMap((burst) => burst.tokens)).size).toBe(1);
      }
      report(`${client}, 8 processes x 50 requests x 5 expiries`, {
        requests,
        failures,
        tokenCalls: api.stats.tokenRequests,
        reuse: api.stats.refreshTokenReuse,
        ms: Date.now() - began,
      });
      expect(requests).toBe(8 * 50 * 5);
      expect(api.stats.tokenRequests).toBe(5);
      expect(api.stats.refreshTokenReuse).toBe(0);
    }, 180_000);
  }

  for (const client of allClientNames) {
    it(`${client}: invalid_grant ends the session in every process, each waiter failing with rejected`, async () => {
      const store = await parentStore(client);
      await store.set(api.issueTokens());
      const pool = await start(client, 4, long);
      await subscribedToSessionEnds(pool.length);
      // Held until every request has had its 401 and waits for the refresh, in every process.
      const answer = api.holdTokenRequests();
      api.failTokenRequests('invalid_grant');
      api.expireAccessTokens();
      const bursts = Promise.all(pool.map((worker) => worker.burst(20)));
      await api.untilTokenRequests(1);
      await api.until((stats) => stats.unauthorized >= pool.length * 20);
      answer();
      const done = await bursts;
      const ends = await Promise.all(pool.map((worker) => worker.next('session-end')));
      const seenBefore = api.stats.tokensSeen.length;
      const after = await Promise.all(pool.map((worker) => worker.burst(5)));
      const events = await Promise.all(pool.map(eventsOf));
      const failures = done.flatMap((burst) => burst.failures);
      report(`${client}, invalid_grant across ${pool.length} processes`, {
        waiters: failures.length,
        notRejected: failures.filter((why) => !why.startsWith('AuthRefreshError(rejected')).length,
        tokenCalls: api.stats.tokenRequests,
      });
      expect(done.map((burst) => burst.ok)).toEqual(pool.map(() => 0));
      expect(failures.length).toBe(pool.length * 20);
      expect(failures.filter((why) => !why.startsWith('AuthRefreshError(rejected'))).toEqual([]);
      expect(ends.map((end) => end.end)).toEqual(pool.map(() => 'session-expired'));
      expect(events.map((seen) => seen.filter((type) => type === 'session-expired').length)).toEqual(pool.map(() => 1));
      expect(api.stats.tokenRequests).toBe(1);
      // docs/session-expiry.md: only the process whose refresh was refused has the endpoint's answer;
      // the others learn of the end from the lock's message, which carries no server detail.
      const holders = events.filter((seen) => seen.includes('refresh-start'));
      expect(holders.map((seen) => seen.join(' '))).toEqual(['refresh-start refresh-failure session-expired']);
      expect(events.filter((seen) => !seen.includes('refresh-start')).map((seen) => seen.join(' '))).toEqual(
        pool.slice(1).map(() => 'refresh-failure session-expired'),
      );
      expect(failures.filter((why) => why === 'AuthRefreshError(rejected: HttpError() invalid_grant)').length).toBe(20);
      expect(failures.filter((why) => why === 'AuthRefreshError(rejected: Error())').length).toBe(
        (pool.length - 1) * 20,
      );
      // Signed out everywhere: no process sends the dead token again.
      expect(after.map((burst) => burst.ok)).toEqual(pool.map(() => 0));
      expect(api.stats.tokensSeen.slice(seenBefore)).toEqual(Array(pool.length * 5).fill(''));
      expect(await store.getLatest()).toBeNull();
    }, 120_000);

    it(`${client}: a logout in one process: every other one reports logout once and stops sending the token`, async () => {
      const store = await parentStore(client);
      await store.set(api.issueTokens());
      const pool = await start(client, 3);
      await subscribedToSessionEnds(pool.length);
      const before = await Promise.all(pool.map((worker) => worker.burst(5)));
      expect(before.flatMap((burst) => burst.failures)).toEqual([]);
      const [leaving, ...others] = pool as [WorkerProcess, ...WorkerProcess[]];
      leaving.send({ type: 'logout' });
      await leaving.next('logged-out');
      const ends = await Promise.all(others.map((worker) => worker.next('session-end')));
      const seenBefore = api.stats.tokensSeen.length;
      const after = await Promise.all(others.map((worker) => worker.burst(5)));
      const events = await Promise.all(pool.map(eventsOf));
      expect(ends.map((end) => end.end)).toEqual(others.map(() => 'logout'));
      // Once each, the leaving process too: it does not hear its own announcement.
      expect(events.map((seen) => seen.filter((type) => type === 'logout').length)).toEqual(pool.map(() => 1));
      expect(after.map((burst) => burst.ok)).toEqual(others.map(() => 0));
      expect(api.stats.tokensSeen.slice(seenBefore)).toEqual(Array(others.length * 5).fill(''));
    }, 120_000);
  }

  for (const client of ['node-redis 6', 'ioredis 6'] as const) {
    it(`${client}: when the lock holder is killed mid-refresh, another process takes over after the lease and no request fails`, async () => {
      const store = await parentStore(client);
      await store.set(api.issueTokens());
      const pool = await start(client, 3);
      // Slow enough to kill the holder while the token endpoint works; the grace period lets the
      // survivor present the refresh token the dead process spent, as servers with one allow.
      api.configure({ tokenDelayMs: 500 });
      api.configure({ reuseGraceMs: 60_000 });
      api.expireAccessTokens();
      const holder = Promise.race(pool.map((worker) => worker.next('refresh-start').then(() => worker)));
      const bursts = pool.map((worker) => worker.burst(20).then((burst) => ({ worker, burst, at: Date.now() })));
      for (const burst of bursts) burst.catch(() => undefined); // the victim's never comes
      const victim = await holder;
      await api.untilTokenRequests(1);
      victim.signal('SIGKILL');
      const killedAt = Date.now();
      const survivors = await Promise.all(bursts.filter((_, i) => pool[i] !== victim));
      const slowest = Math.max(...survivors.map((survivor) => survivor.at - killedAt));
      report(`${client}, holder killed mid-refresh`, {
        survivors: survivors.length,
        failures: survivors.reduce((sum, s) => sum + s.burst.failures.length, 0),
        tokenCalls: api.stats.tokenRequests,
        reuse: api.stats.refreshTokenReuse,
        graceReuse: api.stats.graceReuse,
        takeoverMs: slowest,
      });
      expect(survivors.flatMap((survivor) => survivor.burst.failures)).toEqual([]);
      expect(slowest).toBeLessThan(leaseMs + refreshTimeout);
      expect(api.stats.tokenRequests).toBe(2);
      expect(api.stats.refreshTokenReuse).toBe(0);
      const final = await store.getLatest();
      expect(survivors.flatMap((survivor) => survivor.burst.tokens)).toEqual(
        survivors.map(() => `Bearer ${final!.accessToken}`),
      );
    }, 120_000);

    it(`${client}: a holder paused past its lease cannot overwrite the newer tokens when it resumes`, async () => {
      const store = await parentStore(client);
      const first = api.issueTokens();
      await store.set(first);
      const [paused] = await start(client, 1);
      paused!.send({ type: 'hold-after-refresh' });
      api.expireAccessTokens();
      const burst = paused!.burst(10);
      await paused!.next('refreshed'); // the token endpoint answered; the write has not happened
      paused!.signal('SIGSTOP');
      const lockKey = `${key}:lock`;
      await until(async () => (await redis.command(['EXISTS', lockKey])) === ':0', leaseMs * 3, 'the lease to run out');
      const newer = api.issueTokens(); // a sign-in while the holder is stopped
      await store.set(newer);
      paused!.signal('SIGCONT');
      paused!.send({ type: 'go' });
      const done = await burst;
      report(`${client}, holder paused past its lease`, {
        failures: done.failures.length,
        tokenCalls: api.stats.tokenRequests,
        reuse: api.stats.refreshTokenReuse,
      });
      expect(await store.getLatest()).toEqual(newer);
      expect(done.failures).toEqual([]);
      expect(done.tokens).toEqual([`Bearer ${newer.accessToken}`]);
    }, 120_000);

    it(`${client}: while Redis restarts, good cached tokens keep working, a refresh fails with a typed error, and all recovers after`, async () => {
      const store = await parentStore(client);
      await store.set(api.issueTokens());
      const pool = await start(client, 3);
      await Promise.all(pool.map((worker) => worker.burst(10))); // every process has its copy now

      await redis.stop();
      const cached = await Promise.all(pool.map((worker) => worker.burst(10)));
      expect(cached.flatMap((burst) => burst.failures)).toEqual([]);

      api.expireAccessTokens();
      const outageStart = Date.now();
      const outage = await Promise.all(pool.map((worker) => worker.burst(10)));
      const outageMs = Date.now() - outageStart;
      const reasons = new Set(outage.flatMap((burst) => burst.failures));
      expect([...reasons]).toEqual(['AuthRefreshError(lock: RefreshLockError(unavailable))']);
      expect(outage.every((burst) => burst.ok === 0)).toBeTrue();
      expect(api.stats.tokenRequests).toBe(0); // never an unlocked refresh

      await redis.restart();
      await Promise.all(pool.map((worker) => (worker.send({ type: 'await-redis' }), worker.next('redis-ready'))));
      const after = await Promise.all(pool.map((worker) => worker.burst(10)));
      report(`${client}, Redis restarted`, {
        failuresWithCachedTokens: cached.reduce((sum, b) => sum + b.failures.length, 0),
        failuresNeedingRedis: outage.reduce((sum, b) => sum + b.failures.length, 0),
        outageBurstMs: outageMs,
        failuresAfter: after.reduce((sum, b) => sum + b.failures.length, 0),
        tokenCalls: api.stats.tokenRequests,
        reuse: api.stats.refreshTokenReuse,
      });
      expect(after.flatMap((burst) => burst.failures)).toEqual([]);
      expect(api.stats.tokenRequests).toBe(1);
      expect(api.stats.refreshTokenReuse).toBe(0);
    }, 120_000);
  }
});
