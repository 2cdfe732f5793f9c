// Both Node transports bound establishing a connection separately from the whole response, so an
// unreachable host fails fast while a slow answer still gets the full `timeout`. Browsers expose
// no connect phase: there, only `timeout` applies.
import type { ClientRequest } from 'node:http';
import type { Socket } from 'node:net';

/** The `code` of the failure a connect timeout causes; mapped to a RequestTimeoutError. */
export const CONNECT_TIMEOUT_CODE = 'ERR_CONNECT_TIMEOUT';

/**
 * Calls `onTimeout` when the connection `request` opens (DNS lookup, TCP and, for https, TLS) is
 * not established within `ms`; nothing for a kept-alive socket, which is connected already, or
 * when `ms` is 0 or Infinity.
 */
export function watchConnect(request: ClientRequest, ms: number, onTimeout: (failure: Error) => void): void {
  if (!(ms > 0 && Number.isFinite(ms))) return;
  request.once('socket', (socket) => watchSocketConnect(socket, ms, onTimeout));
}

/** {@link watchConnect} for a socket in hand: nothing unless it is still connecting. */
export function watchSocketConnect(socket: Socket, ms: number, onTimeout: (failure: Error) => void): void {
  if (!socket.connecting || !(ms > 0 && Number.isFinite(ms))) return;
  const timer = setTimeout(() => onTimeout(connectTimedOut(ms)), ms);
  const stop = () => clearTimeout(timer);
  // A TLS socket is of use only once its handshake is done; 'encrypted' tells it apart without
  // importing node:tls here.
  socket.once('encrypted' in socket ? 'secureConnect' : 'connect', stop);
  socket.once('close', stop);
}

function connectTimedOut(ms: number): Error {
  return Object.assign(new Error(`no connection within ${ms} ms`), { code: CONNECT_TIMEOUT_CODE, timeout: ms });
}

/** The connect timeout that ran out, if `failure` is one. */
export function connectTimeoutOf(failure: unknown): number | undefined {
  const { code, timeout } = (failure ?? {}) as { code?: unknown; timeout?: unknown };
  return code === CONNECT_TIMEOUT_CODE && typeof timeout === 'number' ? timeout : undefined;
}
