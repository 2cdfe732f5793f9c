// The node:http transport's own keep-alive agents bound each new connection's set-up where it
// starts, in createConnection, from the `connectTimeout` the request passes in its options. A
// request on a kept-alive socket, most of them, then does nothing for it: no 'socket' listener per
// request, which showed in `npm run bench:profile`. A caller's own agents keep the per-request way.
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { watchSocketConnect } from '../transport/connect-timeout';

/** Request options with the connect limit our agents read; Node hands unknown options on to the agent. */
export type ConnectTimedOptions = http.RequestOptions & { readonly connectTimeout?: number };

const timingAgents = new WeakSet<http.Agent>();

/** A keep-alive agent of our own for `http:` URLs, whose new connections fail after the request's `connectTimeout`. */
export function connectTimingHttpAgent(): http.Agent {
  return timing(new http.Agent({ keepAlive: true }));
}

/** The same for `https:` URLs: the limit covers the TLS handshake too. */
export function connectTimingHttpsAgent(): https.Agent {
  return timing(new https.Agent({ keepAlive: true }));
}

/** Whether `agent` bounds connection set-up itself, so a request through it need not. */
export function timesConnections(agent: http.Agent): boolean {
  return timingAgents.has(agent);
}

// Only on an agent made here, never on one a caller passed in or on Node's global agents.
function timing<A extends http.Agent>(agent: A): A {
  const create = agent.createConnection.bind(agent);
  agent.createConnection = (options: ConnectTimedOptions, callback) => {
    const connection = create(options, callback);
    const ms = options.connectTimeout;
    if (connection && ms !== undefined) {
      const socket = connection as Socket;
      // The socket fails with the timeout error; Node passes it on to the request as its 'error'.
      watchSocketConnect(socket, ms, (failure) => socket.destroy(failure));
    }
    return connection;
  };
  timingAgents.add(agent);
  return agent;
}
