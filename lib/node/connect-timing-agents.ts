// The node:http transport's own keep-alive agents bound each new connection's set-up where it
// starts, in createConnection, from the `connectTimeout` the request passes in its options. A
// request on a kept-alive socket, most of them, then does nothing for it: no 'socket' listener per
// request, which showed in `npm run bench:profile`. A caller's own agents keep the per-request way.
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { watchSocketConnect } from '../transport/connect-timeout';

/** Request options with the connect limit our agents read; Node hands unknown options on to the agent. */
export type ConnectTimedOptions = http.RequestOptions & { readonly connectTimeout?: number };

/** A keep-alive http agent whose new connections fail after the request's `connectTimeout`. */
export class ConnectTimingHttpAgent extends http.Agent {
  constructor() {
    super({ keepAlive: true });
  }

  override createConnection(
    options: ConnectTimedOptions,
    callback?: (error: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    return timed(super.createConnection(options, callback), options.connectTimeout);
  }
}

/** The https counterpart of {@link ConnectTimingHttpAgent}: the limit covers the TLS handshake. */
export class ConnectTimingHttpsAgent extends https.Agent {
  constructor() {
    super({ keepAlive: true });
  }

  override createConnection(
    options: ConnectTimedOptions,
    callback?: (error: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    return timed(super.createConnection(options, callback), options.connectTimeout);
  }
}

// The socket fails with the timeout error; Node passes it on to the request as its 'error'.
function timed(connection: Duplex | null | undefined, ms: number | undefined): Duplex | null | undefined {
  if (connection && ms !== undefined) {
    const socket = connection as Socket;
    watchSocketConnect(socket, ms, (failure) => socket.destroy(failure));
  }
  return connection;
}
