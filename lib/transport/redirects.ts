// How both Node transports follow redirects: as a browser does.

/** Statuses that redirect when they carry a Location. */
export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** Redirects followed before giving up: what browsers allow. */
export const MAX_REDIRECTS = 20;

// Headers a browser drops when a redirect leaves the origin; a token must not follow a redirect away.
const CREDENTIAL_HEADERS: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization', 'cookie']);

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
