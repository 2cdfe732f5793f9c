import { InvalidRequestError } from '../errors/invalid-request-error';
import type { RequestSummary } from '../errors/redact';
import { lowerCased } from '../headers';
import type { HttpRequest } from '../client/http-request';

// Headers that describe the connection or the body's framing: Node's transports write them from
// the URL, the body and the agent, and a caller's value would contradict what goes on the wire.
const TRANSPORT_HEADERS: ReadonlySet<string> = new Set(['host', 'content-length', 'transfer-encoding', 'connection']);

/**
 * The headers a Node transport sends, with lower-case names: every header a caller sets, except
 * those only the transport may set. One of those fails the request with an
 * {@link InvalidRequestError} naming it, rather than being dropped or overwritten without a word.
 * (Browsers apply their own, longer list.)
 */
export function sendableHeaders(
  req: HttpRequest,
  summarize: (req: HttpRequest) => RequestSummary,
): Readonly<Record<string, string>> {
  // One pass both refuses and finds whether any name needs lower-casing: each name is lowered once.
  let allLowerCase = true;
  for (const name of Object.keys(req.headers)) {
    const lowered = name.toLowerCase();
    if (TRANSPORT_HEADERS.has(lowered)) {
      throw new InvalidRequestError(
        `the "${name}" header is set by the transport and cannot be set by a request`,
        summarize(req),
      );
    }
    if (lowered !== name) allLowerCase = false;
  }
  return allLowerCase ? req.headers : lowerCased(req.headers);
}
