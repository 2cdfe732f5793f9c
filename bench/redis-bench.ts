// `npm run bench:redis`: what sharing a credential through Redis costs, on a real redis-server.
// - per request: `session.authorize(() => of(value))` with RedisTokenStore and with
//   MemoryTokenStore (reads are local, so the two should be within noise);
// - 8 forked processes x 50 concurrent requests under repeated expiry: token calls per expiry,
//   failures and refresh-token reuse.
// Loopback only, bounded: a fixed number of operations and expiries.
import { of } from 'rxjs';
import { createAuthSession, MemoryTokenStore, type AuthTokens, type TokenStore } from '../lib/index';
import { RedisTokenStore } from '../lib/redis';
import { redisClientKind } from '../spec/redis/support/redis-clients';
import { RedisServer } from '../spec/redis/support/redis-server';
import { WorkerProcess } from '../spec/redis/support/worker-process';
import { startTestServer } from '../test-server/start-test-server';

const OPS = 200_000;
const PROCESSES = 8;
const REQUESTS = 50;
const EXPIRIES = 10;

async function main(): Promise<void> {
  const redis = await RedisServer.start();
  const api = await startTestServer();
  try {
    const connection = await redisClientKind('node-redis 6').connect(redis.target);
    const key = '{bench}:tokens';
    const shared = new RedisTokenStore(connection, { key });
    const tokens: AuthTokens = {
      accessToken: 'access-1',
      refreshToken: 'refresh-1',
      expiresAt: Date.now() + 3_600_000,
    };
    await shared.set(tokens);
    const memory = perRequestMicros(new MemoryTokenStore(tokens));
    const redisStore = perRequestMicros(shared);
    const memoryAgain = perRequestMicros(new MemoryTokenStore(tokens)); // a second look at the noise
    await shared.close();
    await connection.closeForSpec();

    const expiryKey = '{bench:expiry}:tokens';
    const seed = await redisClientKind('node-redis 6').connect(redis.target);
    const seedStore = new RedisTokenStore(seed, { key: expiryKey });
    await seedStore.set(api.issueTokens());
    const workers = await Promise.all(
      Array.from({ length: PROCESSES }, () =>
        WorkerProcess.start({
          client: 'node-redis 6',
          target: redis.target,
          apiUrl: api.url,
          key: expiryKey,
          refreshTimeout: 15_000,
          leaseMs: 20_000,
        }),
      ),
    );
    let failures = 0;
    const expiryMs: number[] = [];
    for (let i = 0; i < EXPIRIES; i++) {
      api.expireAccessTokens();
      const started = performance.now();
      const bursts = await Promise.all(workers.map((worker) => worker.burst(REQUESTS)));
      expiryMs.push(performance.now() - started);
      failures += bursts.reduce((sum, burst) => sum + burst.failures.length, 0);
    }
    await Promise.all(workers.map((worker) => worker.close()));
    await seedStore.close();
    await seed.closeForSpec();
    expiryMs.sort((a, b) => a - b);

    console.log('| Measure | Result |');
    console.log('| --- | --- |');
    console.log(
      `| \`authorize\` CPU per request, MemoryTokenStore | ${memory.toFixed(2)} µs (again: ${memoryAgain.toFixed(2)} µs) |`,
    );
    console.log(`| \`authorize\` CPU per request, RedisTokenStore | ${redisStore.toFixed(2)} µs |`);
    console.log(
      `| ${PROCESSES} processes x ${REQUESTS} requests, ${EXPIRIES} expiries: token calls per expiry | ${(api.stats.tokenRequests / EXPIRIES).toFixed(2)} |`,
    );
    console.log(`| failed requests | ${failures} of ${PROCESSES * REQUESTS * EXPIRIES} |`);
    console.log(`| refresh-token reuse | ${api.stats.refreshTokenReuse} |`);
    console.log(
      `| time per expiry (all requests answered), median | ${expiryMs[Math.floor(expiryMs.length / 2)]!.toFixed(0)} ms |`,
    );
  } finally {
    await api.close();
    await redis.close();
  }
}

// Median CPU per `authorize` over several batches after a warm-up one.
function perRequestMicros(store: TokenStore): number {
  const session = createAuthSession({ store, refresh: () => of({ accessToken: 'never' }) });
  let sink = 0;
  const attempt = (token: string | null) => of(token);
  const batch = OPS / 5;
  const perOp: number[] = [];
  for (let b = 0; b < 6; b++) {
    const before = process.cpuUsage();
    for (let i = 0; i < batch; i++) session.authorize(attempt).subscribe(() => sink++);
    const used = process.cpuUsage(before);
    if (b > 0) perOp.push((used.user + used.system) / batch);
  }
  if (sink !== batch * 6) throw new Error('not every request answered: the measurement is void');
  perOp.sort((x, y) => x - y);
  return perOp[Math.floor(perOp.length / 2)]!;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
