import { defer, firstValueFrom, lastValueFrom, NEVER, of, ReplaySubject } from 'rxjs';
import { createHttpClient, oauth2Refresh, RefreshLockError, type AuthTokens } from '../../lib';
import { RedisRefreshLock, RedisTokenStore, type RedisClient } from '../../lib/redis';
import { startTestAuthServer } from '../../lib/testing/index';
import { allClientNames, redisClientKind } from './support/redis-clients';
import { RedisServer } from './support/redis-server';
import { query } from './support/resp';
import { until } from './support/until';

const tokens = (n: number): AuthTokens => ({ accessToken: `at-${n}`, refreshToken: `rt-${n}` });

for (const name of allClientNames) {
  describe(`RedisTokenStore and RedisRefreshLock with ${name}`, () => {
    let server: RedisServer;
    let clients: Array<RedisClient & { closeForSpec: () => Promise<void> }>;
    let closers: Array<{ close(): Promise<void> }>;
    let key: string;

    beforeAll(async () => {
      server = await RedisServer.start();
    });
    afterAll(async () => {
      await server.close();
    });
    beforeEach(() => {
      clients = [];
      closers = [];
      key = `{spec:${Math.random().toString(36).slice(2)}}:tokens`;
    });
    afterEach(async () => {
      await Promise.all(closers.map((closer) => closer.close()));
      await Promise.all(clients.map((client) => client.closeForSpec()));
    });

    const connect = async () => {
      const client = await redisClientKind(name).connect(server.target);
      clients.push(client);
      return client;
    };
    const storeOn = (client: RedisClient) => {
      const store = new RedisTokenStore(client, { key });
      closers.push(store);
      return store;
    };
    const lockOn = (client: RedisClient, leaseMs = 3_000) => {
      const lock = new RedisRefreshLock(client, { key, leaseMs, pollMs: 5_000 });
      closers.push(lock);
      return lock;
    };

    it('shares tokens between processes through one key, and each reads its own copy without a round trip', async () => {
      const [a, b] = [storeOn(await connect()), storeOn(await connect())];
      await a.set(tokens(1));
      expect(await b.get()).toEqual(tokens(1)); // first read: from Redis
      await a.set(tokens(2));
      await until(() => (b.get() as AuthTokens | null)?.accessToken === 'at-2'); // pushed by pub/sub
      await a.clear();
      await until(() => b.get() === null);
      expect(await server.command(['GET', key])).toContain('"t":null');
    });

    it('replaces tokens only while Redis still holds the ones the refresh started from', async () => {
      const [a, b] = [storeOn(await connect()), storeOn(await connect())];
      await a.set(tokens(1));
      expect(await a.replace(tokens(1), tokens(2))).toEqual(tokens(2));
      // b still believes in at-1, as a process whose lease ran out would: its write must lose.
      expect(await b.replace(tokens(1), tokens(3))).toEqual(tokens(2));
      expect(await b.getLatest()).toEqual(tokens(2));
      await a.clear();
      expect(await a.replace(tokens(2), tokens(4))).toBeNull(); // a logout is not undone either
    });

    // What a failover that promoted a replica without the last write leaves, or a restart without
    // persistence: an older record, or none. Written here by hand, on the one server.
    const record = async () => query(server.port, ['GET', key]);
    const tokensIn = async () => (JSON.parse(String(await record())) as { t: AuthTokens | null }).t;
    const loseTo = async (older: Awaited<ReturnType<typeof record>>) =>
      query(server.port, older === null ? ['DEL', key] : ['SET', key, String(older)]);

    it('writes a record Redis lost back from the copy of a process that held it; a login after the loss is kept', async () => {
      const [a, b] = [storeOn(await connect()), storeOn(await connect())];
      await a.set(tokens(1));
      const older = await record();
      await a.replace(tokens(1), tokens(2));
      await until(() => (b.get() as AuthTokens | null)?.accessToken === 'at-2', 10_000, 'the pushed record');
      await loseTo(older);
      expect(await b.getLatest()).toEqual(tokens(2));
      expect(await tokensIn()).toEqual(tokens(2));
      await loseTo(null);
      expect(await a.getLatest()).toEqual(tokens(2));
      const c = storeOn(await connect());
      expect(await c.get()).toEqual(tokens(2)); // a process that starts now
      // Lost with every copy (closed here: they keep their copy, but no longer read Redis again), a
      // record reads as signed out: no tokens, no error. A login then starts a record of its own,
      // which an older copy takes rather than writes over.
      await Promise.all([a.close(), b.close(), c.close()]);
      await loseTo(null);
      const fresh = storeOn(await connect());
      expect(await fresh.get()).toBeNull();
      await fresh.set(tokens(3));
      expect(await a.getLatest()).toEqual(tokens(3));
      expect(await tokensIn()).toEqual(tokens(3));
    });

    it("stores a refresh's tokens when Redis lost the record the refresh read: the copy goes back first", async () => {
      const store = storeOn(await connect());
      await store.set(tokens(1));
      const older = await record();
      await store.replace(tokens(1), tokens(2)); // the record the next refresh reads, then loses
      await loseTo(older);
      expect(await store.replace(tokens(2), tokens(3))).toEqual(tokens(3));
      expect(await tokensIn()).toEqual(tokens(3));
      await loseTo(null);
      expect(await store.replace(tokens(3), tokens(4))).toEqual(tokens(4));
      expect(await tokensIn()).toEqual(tokens(4));
    });

    it('does not present a refresh token again when Redis lost the record its refresh wrote', async () => {
      const api = await startTestAuthServer();
      try {
        const refresh = oauth2Refresh({ tokenUrl: `${api.url}/oauth/token` });
        const [a, b] = await Promise.all([connect(), connect()]);
        const [storeA, storeB] = [storeOn(a), storeOn(b)];
        const clientOn = (client: RedisClient, store: RedisTokenStore) =>
          createHttpClient({ baseUrl: api.url, auth: { store, lock: lockOn(client), refresh } });
        const [clientA, clientB] = [clientOn(a, storeA), clientOn(b, storeB)];
        await storeA.set(api.issueTokens());
        const older = await record();
        api.expireAccessTokens();
        await firstValueFrom(clientA.get('/api/one')); // A refreshes
        const refreshed = (await storeA.getLatest())!.accessToken;
        await until(() => (storeB.get() as AuthTokens | null)?.accessToken === refreshed, 10_000, 'the new record');
        await loseTo(older);
        api.expireAccessTokens();
        await firstValueFrom(clientB.get('/api/two')); // B refreshes from the record written back
        expect(api.stats.tokenRequests).toBe(2);
        expect(api.stats.refreshTokenReuse).toBe(0);
      } finally {
        await api.close();
      }
    });

    it('lets one holder in at a time; the next wakes on the release message, long before its poll', async () => {
      const [first, second] = [lockOn(await connect()), lockOn(await connect())];
      // Replayed: the first holder subscribes only once Redis has answered its SET, which may come
      // after this spec sees the lock key.
      const releaseFirst = new ReplaySubject<string>();
      const order: string[] = [];
      const one = lastValueFrom(first.withLock(releaseFirst, { refreshTimeout: 1_000 }));
      await until(async () => (await server.command(['EXISTS', `${key}:lock`])) === ':1');
      const started = Date.now();
      const two = firstValueFrom(second.withLock(of('second'), { refreshTimeout: 1_000 })).then((value) =>
        order.push(value),
      );
      order.push('first');
      releaseFirst.next('first');
      releaseFirst.complete();
      await one;
      await two;
      expect(order).toEqual(['first', 'second']);
      expect(Date.now() - started).toBeLessThan(5_000); // pollMs is 5 s: the message woke it
      expect(await server.command(['EXISTS', `${key}:lock`])).toBe(':0');
    });

    it('gives up waiting after lease + refresh timeout with a typed error, never running the work', async () => {
      const [holder, waiter] = [lockOn(await connect(), 1_500), lockOn(await connect(), 1_500)];
      const held = holder.withLock(NEVER, { refreshTimeout: 0 }).subscribe({ error: () => undefined });
      await until(async () => (await server.command(['EXISTS', `${key}:lock`])) === ':1');
      let ran = false;
      const error = await firstValueFrom(
        waiter.withLock(
          defer(() => of((ran = true))),
          { refreshTimeout: 500 },
        ),
      ).catch((e: unknown) => e);
      held.unsubscribe();
      expect(error).toEqual(jasmine.any(RefreshLockError));
      expect((error as RefreshLockError).reason).toBe('timeout');
      expect(ran).toBeFalse();
    });

    it('tells the holder it lost the lease when another took it, and never deletes the other lease', async () => {
      const lock = lockOn(await connect(), 1_500);
      const errors: unknown[] = [];
      const holding = lock.withLock(NEVER, { refreshTimeout: 0 }).subscribe({ error: (error) => errors.push(error) });
      await until(async () => (await server.command(['EXISTS', `${key}:lock`])) === ':1');
      await server.command(['SET', `${key}:lock`, 'someone-else', 'PX', '60000']); // as after an expiry
      await until(() => errors.length === 1);
      holding.unsubscribe();
      expect((errors[0] as RefreshLockError).reason).toBe('lost');
      expect(await server.command(['GET', `${key}:lock`])).toContain('someone-else');
    });

    it('fails at once with unavailable when Redis is down, and works again when it is back', async () => {
      const client = await connect();
      const lock = lockOn(client);
      await server.stop();
      let ran = false;
      const started = Date.now();
      const error = await firstValueFrom(
        lock.withLock(
          defer(() => of((ran = true))),
          { refreshTimeout: 1_000 },
        ),
      ).catch((e: unknown) => e);
      expect((error as RefreshLockError).reason).toBe('unavailable');
      expect(Date.now() - started).toBeLessThan(2_500);
      expect(ran).toBeFalse();
      await server.restart();
      await client.whenReady();
      expect(await firstValueFrom(lock.withLock(of('again'), { refreshTimeout: 1_000 }))).toBe('again');
    }, 30_000); // a restart, and the client's own reconnect backoff

    it('tells the other locks on the key how a session ended, never itself; ignores malformed messages', async () => {
      const [a, b] = [lockOn(await connect()), lockOn(await connect())];
      const heardByA: string[] = [];
      const heardByB: string[] = [];
      a.sessionEnds$.subscribe((end) => heardByA.push(end));
      b.sessionEnds$.subscribe((end) => heardByB.push(end));
      const channel = `${key}:session-ends`;
      const bothSubscribed = async () => (await server.command(['PUBSUB', 'NUMSUB', channel])).endsWith(':2');
      await until(bothSubscribed, 10_000, 'both subscriptions');
      const malformed = ['not json', 'null', '42', '{"from":"x","sessionE', '{"sessionEnd":"logout"}'];
      malformed.push('{"from":1,"sessionEnd":"logout"}', '{"from":"x","sessionEnd":"expired"}');
      for (const message of malformed) await server.command(['PUBLISH', channel, message]);
      a.announceSessionEnd('session-expired');
      b.announceSessionEnd('logout');
      await until(() => heardByA.length > 0 && heardByB.length > 0, 10_000, 'each announcement');
      // Published after both echoes: once it arrives, an echo that was not dropped would have too.
      await server.command(['PUBLISH', channel, '{"from":"a third process","sessionEnd":"logout"}']);
      await until(() => heardByA.length === 2 && heardByB.length === 2, 10_000, 'the last announcement');
      expect(heardByA).toEqual(['logout', 'logout']);
      expect(heardByB).toEqual(['session-expired', 'logout']);
    });

    it('rejects a missing key with a TypeError', async () => {
      const client = await connect();
      expect(() => new RedisTokenStore(client, { key: '' })).toThrowError(TypeError, /options.key/);
      expect(() => new RedisRefreshLock(client, {} as { key: string })).toThrowError(TypeError, /options.key/);
    });
  });
}
