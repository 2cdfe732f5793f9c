import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { lastValueFrom } from 'rxjs';
import { createHttpClient, type HttpTransport } from '../../lib';
import { nodeHttpTransport } from '../../lib/node';

// Both Node transports pool connections through agents of their own (lib/transport/keep-alive-agents.ts).
// They must pool as Node's global agents do, which is what the default transport used before and
// what a Node user expects: each case runs the same exchange through Node's global agent and
// through each transport, and expects the same outcome.

interface Answer {
  /** Which connection, counted by the server from 1, carried the request. */
  readonly connection: number;
}

/** A server that numbers its connections, announces `Keep-Alive: timeout=<hint>` when asked, and never closes an idle one itself. */
class PoolingServer {
  readonly closed = new Set<number>();
  private readonly closeWaiters = new Map<number, () => void>();
  private count = 0;
  private readonly server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://x');
    const hint = url.searchParams.get('hint');
    if (hint !== null) response.setHeader('keep-alive', `timeout=${hint}`);
    const answer = () => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ connection: (request.socket as Socket & { id: number }).id } satisfies Answer));
    };
    const holdMs = Number(url.searchParams.get('holdMs') ?? 0);
    if (holdMs > 0) setTimeout(answer, holdMs);
    else answer();
  });

  constructor() {
    // Far longer than any case: a connection that closes was closed by the client.
    this.server.keepAliveTimeout = 60_000;
    this.server.on('connection', (socket: Socket & { id: number }) => {
      const id = ++this.count;
      socket.id = id;
      socket.on('close', () => {
        this.closed.add(id);
        this.closeWaiters.get(id)?.();
      });
    });
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  listen(): Promise<void> {
    return new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  /** Resolves when connection `id` has closed. */
  untilClosed(id: number): Promise<void> {
    if (this.closed.has(id)) return Promise.resolve();
    return new Promise((resolve) => this.closeWaiters.set(id, resolve));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

type Get = (path: string) => Promise<Answer>;

// A GET through Node's global agent, the platform's own pooling.
const globalAgentGet =
  (baseUrl: string): Get =>
  (path) =>
    new Promise((resolve, reject) => {
      http
        .get(`${baseUrl}${path}`, { agent: http.globalAgent }, (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => resolve(JSON.parse(text) as Answer));
        })
        .on('error', reject);
    });

const clientGet =
  (transport: HttpTransport | undefined) =>
  (baseUrl: string): Get => {
    const client = createHttpClient({ baseUrl, retry: 0, ...(transport ? { transport } : {}) });
    return (path) => lastValueFrom(client.get<Answer>(path));
  };

// The agent pools a socket once the response has ended, on a later tick; a turn of the event loop
// lets that happen before the next request, as it would in any app.
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

const senders: ReadonlyArray<readonly [string, (baseUrl: string) => Get]> = [
  ["Node's global agent", globalAgentGet],
  ['the rxjs/ajax over xhr2 transport', clientGet(undefined)],
  ['the node:http transport', clientGet(nodeHttpTransport())],
];

for (const [name, sender] of senders) {
  describe(`connection pooling of ${name}`, () => {
    let server: PoolingServer;
    let get: Get;

    beforeEach(async () => {
      server = new PoolingServer();
      await server.listen();
      get = sender(server.url);
    });
    afterEach(() => server.close());

    it('sends the next request on the same connection', async () => {
      const first = await get('/');
      await nextTurn();
      const second = await get('/');
      expect(second.connection).toBe(first.connection);
      expect(server.closed.size).toBe(0);
    });

    it('does not pool a connection the server says it closes within a second (Keep-Alive: timeout=1)', async () => {
      const first = await get('/?hint=1');
      await server.untilClosed(first.connection);
      const second = await get('/');
      expect(second.connection).not.toBe(first.connection);
    });

    it('closes an idle connection a second before the server says it would (Keep-Alive: timeout=2)', async () => {
      const first = await get('/?hint=2');
      const idleSince = Date.now();
      await server.untilClosed(first.connection);
      // The server would have kept it for 60 s; the client let go after about 1 s (loose bounds:
      // a loaded machine runs timers late, never early).
      expect(Date.now() - idleSince).toBeGreaterThanOrEqual(900);
      expect(Date.now() - idleSince).toBeLessThan(30_000);
    });

    it('lets a request on a pooled connection outlast the idle limit: the limit applies only while pooled', async () => {
      const first = await get('/?hint=2');
      await nextTurn();
      // The pooled socket carries the 1 s idle limit; this answer takes 1.5 s of silence.
      const slow = await get('/?hint=2&holdMs=1500');
      expect(slow.connection).toBe(first.connection);
    });
  });
}
