// How both Node transports follow redirects: as a browser does.
import { NetworkError } from '../errors/network-error';
import { withoutHeaders } from '../headers';
import type { HttpRequest } from '../client/http-request';

/** Statuses that redirect when they carry a Location. */
export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** Redirects followed before giving up: what browsers allow. */
export const MAX_REDIRECTS = 20;

// Headers a browser drops when a redirect leaves the origin; a token must not follow a redirect away.
// The DPoP proof too: it is made for the token's own request (and carries the token's hash).
const CREDENTIAL_HEADERS: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization', 'cookie', 'dpop']);

/** Whether a header must not follow a redirect to another origin. */
export function isCredentialHeader(name: string): boolean {
  return CREDENTIAL_HEADERS.has(name.toLowerCase());
}

/**
 * Whether a redirect turns the request into a GET without a body, as the Fetch standard says: a
 * 303 does for every method but GET and HEAD, a 301 or 302 only for a POST; 307 and 308 never do.
 */
export function redirectsToGet(status: number, method: string): boolean {
  if (status === 303) return method !== 'GET' && method !== 'HEAD';
  return (status === 301 || status === 302) && method === 'POST';
}

/** The failure of a request that redirected more than {@link MAX_REDIRECTS} times. */
export function tooManyRedirects(): Error {
  return Object.assign(new Error(`more than ${MAX_REDIRECTS} redirects`), { code: 'ERR_TOO_MANY_REDIRECTS' });
}

/** The code of a redirect a transport did not follow: see {@link heldRedirect}. */
export const REDIRECT_HELD = 'ERR_REDIRECT_HELD';

/**
 * Whether a transport must stop at a redirect rather than follow it: a request that carries a
 * DPoP proof (RFC 9449), which names one method and URI and may be presented once. Re-sent to the
 * next hop it would be refused there (wrong `htu`, replayed `jti`), or reach an origin that may not
 * see it. The DPoP layer follows the redirect itself, with a new proof where one may go.
 */
export function holdsRedirects(lowerCaseHeaders: Readonly<Record<string, unknown>>): boolean {
  return 'dpop' in lowerCaseHeaders;
}

/** The failure of a request stopped at a redirect: its status and the absolute URL it pointed to. */
export function heldRedirect(status: number, location: string): Error {
  return Object.assign(new Error(`a ${status} redirect was not followed: the request carries a DPoP proof`), {
    code: REDIRECT_HELD,
    status,
    location,
  });
}

/**
 * The request a redirect asks for: `location` (absolute), as GET without a body where
 * {@link redirectsToGet} says, and without credentials when it leaves `req`'s origin.
 */
export function redirectedRequest(req: HttpRequest, status: number, location: string): HttpRequest {
  const leaves = new URL(location).origin !== new URL(req.url).origin;
  const toGet = redirectsToGet(status, req.method);
  const dropped = (name: string) =>
    (leaves && isCredentialHeader(name)) || (toGet && (name === 'content-type' || name === 'content-length'));
  return {
    ...req,
    url: location,
    method: toGet ? 'GET' : req.method,
    body: toGet ? undefined : req.body,
    headers: withoutHeaders(req.headers, dropped),
  };
}

/** A redirect a transport stopped at rather than re-send a DPoP proof: where it pointed, and how. */
export interface HeldRedirect {
  readonly status: number;
  /** Absolute. */
  readonly location: string;
}

/** The redirect behind `error`, when it is a transport's held redirect. */
export function heldRedirectOf(error: unknown): HeldRedirect | undefined {
  if (!(error instanceof NetworkError) || error.code !== REDIRECT_HELD) return undefined;
  const { status, location } = (error.cause ?? {}) as { status?: unknown; location?: unknown };
  // A cause stripped of a secret in its URL loses both: then the redirect cannot be followed.
  return typeof status === 'number' && typeof location === 'string' ? { status, location } : undefined;
}
