import { InvalidRequestError } from '../errors/invalid-request-error';
import type { RequestSummary } from '../errors/redact';
import type { HttpRequest } from '../http-request';

// Headers that describe the connection or the body's framing: Node's transports write them from
// the URL, the body and the agent, and a caller's value would contradict what goes on the wire.
const TRANSPORT_HEADERS: ReadonlySet<string> = new Set(['host', 'content-length', 'transfer-encoding', 'connection']);

/**
 * In Node every header a caller sets is sent, except those only the transport may set: one of
 * those fails the request with an {@link InvalidRequestError} naming it, rather than being
 * dropped or overwritten without a word. (Browsers apply their own, longer list.)
 */
export function refuseTransportHeaders(req: HttpRequest, summarize: (req: HttpRequest) => RequestSummary): void {
  for (const name of Object.keys(req.headers)) {
    if (TRANSPORT_HEADERS.has(name.toLowerCase())) {
      throw new InvalidRequestError(
        `the "${name}" header is set by the transport and cannot be set by a request`,
        summarize(req),
      );
    }
  }
}
