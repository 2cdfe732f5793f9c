import path from 'node:path';
import { forkJoin, lastValueFrom } from 'rxjs';
import { markdownBlocks } from '../../scripts/markdown-blocks';
import type { AuthSession, HttpClient, MemoryTokenStore } from '../../lib';
import { startTestAuthServer, type IssuedTokens, type TestAuthServer } from '../../lib/testing/index';
import { ExampleApi } from './support/example-api';
import { ExampleConsole, runExample } from './support/run-example';

// The README's and getting-started's examples, run as written against loopback servers: the test
// server's token endpoint (rotation, reuse detection, expiry on demand) and ExampleApi standing in
// for api.example.com. Only hosts and sample tokens are swapped. Each example's comments make
// claims (one refresh for three requests, the login carries no token...): the checks below hold
// them. The docs check type-checks the same blocks; a block with no case here fails this spec.
const root = path.resolve(__dirname, '..', '..');
const pages = ['README.md', 'docs/getting-started.md'];

interface Servers {
  readonly tokens: TestAuthServer;
  readonly api: ExampleApi;
  /** Issued by the token server and already expired: what the examples' 'eyJ...' and 'r-1' stand for. */
  readonly expired: IssuedTokens;
  readonly console: ExampleConsole;
}

interface ExampleCase {
  readonly replace: (s: Servers) => ReadonlyArray<readonly [string, string]>;
  /** Top-level bindings of the example the check goes on to use. */
  readonly names: readonly string[];
  readonly check: (s: Servers, bindings: Record<string, unknown>) => Promise<void>;
}

const authServer = (s: Servers) => ['https://auth.example.com/oauth/token', `${s.tokens.url}/oauth/token`] as const;
const sampleTokens = (s: Servers) =>
  [
    ["'eyJ...'", `'${s.expired.accessToken}'`],
    ["'r-1'", `'${s.expired.refreshToken}'`],
  ] as const;
const received = (s: Servers, route: string) =>
  s.api.received
    .filter((request) => request.path === route)
    .map((request) => `${request.status} ${request.authorization}`);

const cases: Readonly<Record<string, ExampleCase>> = {
  'README.md > Example: the client #1': {
    replace: (s) => [['https://api.example.com/v1', `${s.api.url}/v1`], authServer(s), ...sampleTokens(s)],
    names: ['client'],
    check: async (s, { client }) => {
      const printed = await s.console.printed((line) => line.startsWith('['));
      expect(JSON.parse(printed)).toEqual([1, 2, 3].map((id) => ({ id, total: id * 10 })));
      // "Three requests while the access token is expired: ONE refresh, shared by all three."
      expect(s.tokens.stats.tokenRequests).toBe(1);
      const fresh = s.api.received.find((request) => request.status === 200)?.authorization;
      expect(fresh).not.toBe(`Bearer ${s.expired.accessToken}`);
      for (const id of [1, 2, 3]) {
        expect(received(s, `/v1/orders/${id}`)).toEqual([`401 Bearer ${s.expired.accessToken}`, `200 ${fresh}`]);
      }
      // "Tell the app when the session is over."
      s.tokens.failTokenRequests('invalid_grant');
      s.tokens.expireAccessTokens();
      await lastValueFrom((client as HttpClient).get('/orders/4')).catch(() => undefined);
      await s.console.printed((line) => line === 'please sign in again');
    },
  },
  'README.md > Example: any Observable transport #1': {
    replace: (s) => [['https://api.example.com', s.api.url], authServer(s), ...sampleTokens(s)],
    names: [],
    check: async (s) => {
      expect(await s.console.printed(() => true)).toBe('Ada');
      expect(s.tokens.stats.tokenRequests).toBe(1);
      expect(received(s, '/me').map((line) => line.slice(0, 3))).toEqual(['401', '200']);
    },
  },
  'README.md > Example: any Observable transport #2': {
    replace: (s) => [['https://api.example.com', s.api.url], authServer(s)],
    names: ['session', 'orders', 'users'],
    check: async (s, { session, orders, users }) => {
      // "Several clients share one token store and one refresh."
      await (session as AuthSession).store.set(s.expired);
      const both = await lastValueFrom(forkJoin([(orders as HttpClient).get('/1'), (users as HttpClient).get('/2')]));
      expect(both).toEqual([
        { id: 1, total: 10 },
        { id: 2, name: 'Ada' },
      ]);
      expect(s.tokens.stats.tokenRequests).toBe(1);
      expect(received(s, '/orders/1').map((line) => line.slice(0, 3))).toEqual(['401', '200']);
      expect(received(s, '/users/2').map((line) => line.slice(0, 3))).toEqual(['401', '200']);
    },
  },
  'docs/getting-started.md > A client #1': {
    replace: (s) => [['https://api.example.com/v1', `${s.api.url}/v1`]],
    names: ['created'],
    check: async (s, { created }) => {
      expect(created).toEqual({ id: 7, name: 'Ada' });
      await s.console.printed((line) => line === '2'); // users.length
      expect(s.console.lines).toContain('200 "user-7" Ada'); // status, etag, body.name
      const [list, create, one] = s.api.received;
      // "'/users' -> .../v1/users"; arrays repeat the name.
      expect(list?.path).toBe('/v1/users');
      expect(list?.query.get('page')).toBe('2');
      expect(list?.query.getAll('role')).toEqual(['admin', 'owner']);
      // "an object body is sent as JSON"
      expect(create?.contentType).toBe('application/json');
      expect(JSON.parse(create?.body ?? '')).toEqual({ name: 'Ada' });
      expect(one?.path).toBe('/v1/users/7');
      expect(s.api.received.length).toBe(3);
    },
  },
  'docs/getting-started.md > Adding authentication #1': {
    replace: (s) => [
      ['https://api.example.com/oauth/token', `${s.tokens.url}/oauth/token`],
      ['https://api.example.com', s.api.url],
    ],
    names: ['client', 'store'],
    check: async (s, { client, store }) => {
      expect(await s.console.printed(() => true)).toBe('{"name":"Ada"}');
      const login = (store as MemoryTokenStore).get()!;
      // "the login call itself carries no token"; then each request carries Bearer <access token>.
      expect(received(s, '/login')).toEqual(['200 undefined']);
      expect(received(s, '/me')).toEqual([`200 Bearer ${login.accessToken}`]);
      // "expired tokens are refreshed once, however many requests need it"
      s.tokens.expireAccessTokens();
      const me = () => (client as HttpClient).get('/me');
      expect(await lastValueFrom(forkJoin([me(), me(), me()]))).toEqual([1, 2, 3].map(() => ({ name: 'Ada' })));
      expect(s.tokens.stats.tokenRequests).toBe(1);
    },
  },
  'docs/getting-started.md > Browser #1': {
    replace: (s) => [authServer(s)],
    names: ['client'],
    check: async (_s, { client }) => {
      // "A token is never sent to another origin unless it is listed in allowedOrigins."
      const session = (client as HttpClient).auth!;
      expect(session.mayReceiveToken('https://files.example.com/report.pdf')).toBeTrue();
      expect(session.mayReceiveToken('https://eu.api.example.com/orders')).toBeTrue();
      expect(session.mayReceiveToken('https://api.example.com.evil.example/orders')).toBeFalse();
      expect(session.mayReceiveToken('https://evil.example/')).toBeFalse();
      await Promise.resolve();
    },
  },
};

describe('the README and getting-started examples, run against loopback servers', () => {
  const blocks = pages.flatMap((page) => markdownBlocks(path.join(root, page), root)).filter((block) => !block.skip);
  const keyed = blocks.map((block, index) => {
    const n = blocks.slice(0, index + 1).filter((b) => b.source === block.source && b.heading === block.heading).length;
    return { key: `${block.source} > ${block.heading} #${n}`, block };
  });

  let servers: Servers;
  beforeEach(async () => {
    const tokens = await startTestAuthServer();
    const api = await ExampleApi.start(tokens);
    const expired = tokens.issueTokens();
    tokens.expireAccessTokens();
    servers = { tokens, api, expired, console: new ExampleConsole() };
  });
  afterEach(async () => {
    await servers.api.close();
    await servers.tokens.close();
  });

  it('has a case for every example of those pages, and no case for one that is gone', () => {
    expect(keyed.map(({ key }) => key).sort()).toEqual(Object.keys(cases).sort());
  });

  for (const { key, block } of keyed) {
    const example = cases[key];
    if (!example) continue;
    it(`runs ${key} (${block.source}:${block.line}) and does what it says`, async () => {
      const bindings = await runExample(block.code, {
        replace: example.replace(servers),
        names: example.names,
        console: servers.console,
      });
      await example.check(servers, bindings);
      expect(servers.tokens.stats.refreshTokenReuse).toBe(0);
    });
  }
});
