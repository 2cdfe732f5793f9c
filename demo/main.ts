// `npm start`: 50 requests leave at once with an expired access token. The client turns their 50
// 401s into a single refresh and retries every one; the numbers below come from the server, the
// token + API server the package ships for apps' own tests (`rxjs-auth-http/testing`).
import { forkJoin, lastValueFrom } from 'rxjs';
import { createHttpClient, MemoryTokenStore, oauth2Refresh, type AuthEvent } from '../lib';
import { startTestAuthServer } from '../lib/testing/index';

const CONCURRENT_REQUESTS = 50;

async function main(): Promise<void> {
  const server = await startTestAuthServer();
  try {
    const store = new MemoryTokenStore(server.issueTokens());
    server.expireAccessTokens(); // the token in the store is now stale

    const client = createHttpClient({
      baseUrl: server.apiUrl,
      auth: { store, refresh: oauth2Refresh({ tokenUrl: server.tokenUrl, clientId: 'demo' }) },
    });
    const events: AuthEvent['type'][] = [];
    client.authEvents$.subscribe((event) => events.push(event.type));

    console.log(`Token server and API on ${server.url}`);
    console.log(`Sending ${CONCURRENT_REQUESTS} concurrent requests with an expired access token...\n`);
    const started = performance.now();
    const bodies = await lastValueFrom(
      forkJoin(Array.from({ length: CONCURRENT_REQUESTS }, (_, i) => client.get<{ path: string }>(`/orders/${i}`))),
    );
    const elapsed = performance.now() - started;

    const { apiRequests, unauthorized, tokenRequests, refreshTokenReuse } = server.stats;
    const rows: Array<[string, string | number]> = [
      ['requests made by the app', CONCURRENT_REQUESTS],
      ['successful responses', bodies.length],
      ['requests the API received', apiRequests],
      ['401 answers (stale token)', unauthorized],
      ['refresh calls to the token endpoint', tokenRequests],
      ['refresh tokens reused', refreshTokenReuse],
      ['auth events', events.join(', ')],
      ['elapsed', `${elapsed.toFixed(1)} ms`],
    ];
    for (const [label, value] of rows) console.log(`  ${label.padEnd(38)} ${value}`);

    const correct = bodies.length === CONCURRENT_REQUESTS && tokenRequests === 1 && refreshTokenReuse === 0;
    console.log(correct ? '\nOne refresh served every request.' : '\nUnexpected result: see the numbers above.');
    process.exitCode = correct ? 0 : 1;
  } finally {
    await server.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
