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

/** Whether a redirect turns the request into a GET without a body: all but 307 and 308 do, as browsers do for a POST. */
export function redirectsToGet(status: number, method: string): boolean {
  return status !== 307 && status !== 308 && method !== 'GET' && method !== 'HEAD';
}

/** The failure of a request that redirected more than {@link MAX_REDIRECTS} times. */
export function tooManyRedirects(): Error {
  return Object.assign(new Error(`more than ${MAX_REDIRECTS} redirects`), { code: 'ERR_TOO_MANY_REDIRECTS' });
}
