import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  echoRequest,
  startTestAuthServer,
  type TestAuthServer,
  type TestAuthServerOptions,
} from '../lib/testing/index';
import { json } from '../lib/testing/http-answers';

export type { EchoedRequest, TokenFault } from '../lib/testing/index';

/** The kit's server, with the routes the transport and retry specs and the benchmarks need. */
export interface TestServer extends TestAuthServer {
  /** How often each `flaky?key=` route was hit. */
  readonly flakyHits: ReadonlyMap<string, number>;
}

/**
 * Starts `rxjs-auth-http/testing`'s server (the one the package ships: these specs test it as
 * users get it) with a handler that adds, under both `/api/` and `/public/`: slow?ms=,
 * trickle?bytes=&everyMs=, status/<code>, text?body=, bytes?n=, sized?bytes= (one fixed JSON
 * document of about that size), drop, redirect?to=&status= (loop=1: to itself),
 * flaky?key=&fail=&status=&retryAfter= (fails the first hits of each key, then echoes). Anything
 * else is echoed, as the kit does.
 */
export async function startTestServer(options: Omit<TestAuthServerOptions, 'handler'> = {}): Promise<TestServer> {
  const flakyHits = new Map<string, number>();
  const server = await startTestAuthServer({ ...options, handler: transportRoutes(flakyHits) });
  return Object.assign(server, { flakyHits });
}

function transportRoutes(flakyHits: Map<string, number>) {
  return (req: IncomingMessage, res: ServerResponse, body: Buffer): void => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const query = url.searchParams;
    const route = url.pathname.replace(/^\/(api|public)\//, '');
    if (route.startsWith('status/'))
      return json(res, Number(route.slice('status/'.length)) || 500, { error: 'as_requested' });
    switch (route) {
      case 'slow':
        setTimeout(() => echoRequest(req, res, body), Number(query.get('ms') ?? 1000));
        return;
      case 'trickle':
        return trickle(res, Number(query.get('bytes') ?? 100), Number(query.get('everyMs') ?? 100));
      case 'text':
        res.writeHead(200, { 'content-type': 'text/plain' }).end(query.get('body') ?? 'hello, not json');
        return;
      case 'bytes': {
        const bytes = Buffer.alloc(Number(query.get('n') ?? 16), 0).map((_, i) => i % 256);
        res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(bytes);
        return;
      }
      case 'sized':
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(sizedJson(Math.min(Number(query.get('bytes') ?? 200) || 0, 1 << 20)));
        return;
      case 'drop':
        req.socket.destroy();
        return;
      case 'flaky':
        return flaky(flakyHits, req, res, body);
      case 'redirect':
        res
          .writeHead(Number(query.get('status') ?? 302), {
            location: query.has('loop') ? url.pathname + url.search : (query.get('to') ?? '/public/echo'),
          })
          .end();
        return;
      default:
        echoRequest(req, res, body);
    }
  };
}

// Fails the first `fail` hits (default 1) of each `key`, with `status` (default 503; `drop` cuts
// the connection, `reset` cuts it mid-body) and an optional `retryAfter` header, then echoes: a transient fault.
function flaky(hits: Map<string, number>, req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  const query = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams;
  const key = query.get('key') ?? '';
  const hit = (hits.get(key) ?? 0) + 1;
  hits.set(key, hit);
  if (hit > Number(query.get('fail') ?? 1)) return echoRequest(req, res, body);
  const status = query.get('status') ?? '503';
  if (status === 'drop') {
    req.socket.destroy();
    return;
  }
  if (status === 'reset') {
    // Headers and half a body, then the connection dies.
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' }).write('{"partial":');
    setImmediate(() => req.socket.destroy());
    return;
  }
  const retryAfter = query.get('retryAfter');
  if (retryAfter !== null) res.setHeader('retry-after', retryAfter);
  json(res, Number(status), { error: 'flaky' });
}

// One document per size, built once: the benchmarks need the same answer, whatever headers a client sends.
const sizedDocuments = new Map<number, string>();
function sizedJson(bytes: number): string {
  let doc = sizedDocuments.get(bytes);
  if (doc === undefined) {
    const items = Array.from({ length: Math.max(0, Math.floor((bytes - 40) / 24)) }, (_, i) => ({
      id: i,
      name: `item-${String(i).padStart(4, '0')}`,
    }));
    doc = JSON.stringify({ ok: true, size: bytes, items });
    sizedDocuments.set(bytes, doc);
  }
  return doc;
}

function trickle(res: ServerResponse, bytes: number, everyMs: number): void {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(bytes) });
  let sent = 0;
  const timer = setInterval(() => {
    if (res.destroyed) return clearInterval(timer);
    res.write('x');
    if (++sent === bytes) {
      clearInterval(timer);
      res.end();
    }
  }, everyMs);
  res.on('close', () => clearInterval(timer));
}
