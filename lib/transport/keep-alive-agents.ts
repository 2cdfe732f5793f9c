// The keep-alive agents both Node transports send through, unless a caller passes their own. They
// pool connections as Node's global agents do (an idle socket closes after 5 s, sooner when the
// server's `Keep-Alive: timeout=N` says it will close it first), and they bound each new
// connection's set-up where they make it. A request on a kept-alive socket, most of them, then
// costs nothing for either: no 'socket' and 'timeout' listeners per request, which Node's agent
// `timeout` option and a per-request connect watch both add (together about 1.9 KB allocated per
// request in `npm run bench:profile`).
// Types only: the default transport's Node XHR reaches this file, and a bundler that maps xhr2 to
// the browser's XMLHttpRequest could not resolve a node: module (scripts/check-node-dist.mjs). The
// Agent classes come from the caller.
import type http from 'node:http';
import type { Socket } from 'node:net';
import { watchSocketConnect } from './connect-timeout';

/** Request options with the connect limit our agents read; Node hands unknown options on to the agent. */
export type ConnectTimedOptions = http.RequestOptions & { readonly connectTimeout?: number };

/** How long a pooled socket may sit idle: what Node's global agents allow (their `timeout`). */
const IDLE_SOCKET_MS = 5000;

// A server announcing it closes idle connections after N s is taken at N s minus this, so the client
// lets go first rather than send on a socket the server is closing (which fails with ECONNRESET).
const SERVER_HINT_MARGIN_MS = 1000;

// TCP keep-alive probes on a pooled socket start after this long: the agents' default `keepAliveMsecs`.
const KEEP_ALIVE_PROBE_DELAY_MS = 1000;

const KEEP_ALIVE_TIMEOUT = /^timeout=(\d+)/;

const timingAgents = new WeakSet<http.Agent>();

/** `http.Agent` or `https.Agent`. */
export type AgentClass<A extends http.Agent> = new (options: http.AgentOptions) => A;

/**
 * A keep-alive agent of our own, an `Agent` of node:http or node:https, whose new connections fail
 * after the request's `connectTimeout`, or after `fixedConnectMs` for a client that cannot pass one
 * in its request options (xhr2); for https, the TLS handshake included.
 */
export function connectTimingAgent<A extends http.Agent>(Agent: AgentClass<A>, fixedConnectMs?: number): A {
  return pooling(new Agent({ keepAlive: true }), fixedConnectMs);
}

/** Whether `agent` bounds connection set-up itself, so a request through it need not. */
export function timesConnections(agent: http.Agent): boolean {
  return timingAgents.has(agent);
}

// Only on an agent made here, never on one a caller passed in or on Node's global agents. The
// request's own `connectTimeout` wins over the agent's fixed one.
function pooling<A extends http.Agent>(agent: A, fixedConnectMs?: number): A {
  const create = agent.createConnection.bind(agent);
  agent.createConnection = (options: ConnectTimedOptions, callback) => {
    const connection = create(options, callback);
    const ms = options.connectTimeout ?? fixedConnectMs;
    if (connection && ms !== undefined) {
      const socket = connection as Socket;
      // The socket fails with the timeout error; Node passes it on to the request as its 'error'.
      watchSocketConnect(socket, ms, (failure) => socket.destroy(failure));
    }
    return connection;
  };
  agent.keepSocketAlive = (socket) => keepIdle(socket as Socket);
  timingAgents.add(agent);
  return agent;
}

// Called by the agent when a request is done with `socket`: whether to pool it. The idle limit is a
// socket timeout, which the agent turns into closing the socket if it is still in the pool then (a
// socket in use ignores it). The timeout is set only when the limit changes, so a socket reused at
// the same limit costs nothing per request.
function keepIdle(socket: Socket): boolean {
  socket.setKeepAlive(true, KEEP_ALIVE_PROBE_DELAY_MS);
  socket.unref(); // a pooled socket never keeps the process alive
  const limit = idleLimit(socket);
  if (limit <= 0) return false;
  if (socket.timeout !== limit) socket.setTimeout(limit);
  return true;
}

// The idle limit of a socket: ours, or sooner as the server announced in the response just read
// on it (the request is still the socket's `_httpMessage` when the agent asks, as Node's own
// keepSocketAlive reads it; without it, ours).
function idleLimit(socket: Socket): number {
  const response = (socket as { _httpMessage?: { res?: http.IncomingMessage } | null })._httpMessage?.res;
  const announced = response?.headers['keep-alive'];
  const seconds = typeof announced === 'string' ? KEEP_ALIVE_TIMEOUT.exec(announced)?.[1] : undefined;
  if (seconds === undefined) return IDLE_SOCKET_MS;
  return Math.min(IDLE_SOCKET_MS, Number(seconds) * 1000 - SERVER_HINT_MARGIN_MS);
}
