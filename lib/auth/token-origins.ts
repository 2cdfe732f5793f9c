/**
 * Where relative request URLs are resolved from, as the platform that sends them does: a browser
 * page resolves against `document.baseURI`, and counts its own origin as the one a relative URL
 * was meant for; a server-side render passes the URL of the request it renders.
 *
 * @example
 * ```ts
 * const page: PageLocation = { baseUrl: 'https://app.example.com/shop/', origin: 'https://app.example.com' };
 * session.mayReceiveToken('/api/me', page); // true: resolves to the page's own origin
 * ```
 */
export interface PageLocation {
  /** What relative URLs resolve against (`document.baseURI` in a browser). */
  readonly baseUrl: string;
  /** The page's own origin, which may receive the token. */
  readonly origin: string;
}

/** The page this code runs in, read when asked (a `<base>` element may change), or null outside a browser. */
export function currentPage(): PageLocation | null {
  const location = globalThis.location;
  if (location === undefined) return null;
  return { baseUrl: globalThis.document?.baseURI ?? location.href, origin: location.origin };
}

/**
 * The origins a token may go to, decided as the platform decides where a request goes: the URL is
 * resolved by the WHATWG parser (`new URL`), the same algorithm `fetch`, `XMLHttpRequest` and Node
 * use, and only then compared. A string test such as "starts with a slash" disagrees with the
 * parser on backslashes, tabs and leading control characters, and each disagreement is a leak.
 */
export class TokenOrigins {
  private readonly exact: ReadonlySet<string>;
  private readonly patterns: readonly RegExp[];

  /** `allowed` as resolved by `resolveAuthOptions`: origins, and RegExps that match a whole origin. */
  constructor(allowed: ReadonlyArray<string | RegExp>) {
    this.exact = new Set(allowed.filter((origin): origin is string => typeof origin === 'string'));
    this.patterns = allowed.filter((origin): origin is RegExp => origin instanceof RegExp);
  }

  /** Whether `url`, resolved against `page`, lands on the page's own origin or an allowed one. */
  allow(url: string, page: PageLocation | null): boolean {
    const origin = originOf(url, page);
    if (origin === null) return false;
    return origin === page?.origin || this.exact.has(origin) || this.patterns.some((pattern) => pattern.test(origin));
  }
}

/**
 * The origin `url` is sent to from `page` (or alone when there is none), or null when the parser
 * refuses it or its origin is opaque (`data:`, `file:`): an opaque origin serializes as `"null"`,
 * which would equal every other opaque one.
 */
export function originOf(url: string, page: PageLocation | null): string | null {
  let origin: string;
  try {
    origin = page === null ? new URL(url).origin : new URL(url, page.baseUrl).origin;
  } catch {
    return null;
  }
  return origin === 'null' ? null : origin;
}

/**
 * Checks one `allowedOrigins` entry and returns what {@link TokenOrigins} tests: an exact origin,
 * or a RegExp that must match the whole origin. A RegExp not anchored with `^` and `$` is refused
 * (`/api\.example\.com/` also matches `https://api.example.com.evil.example`); an anchored one is
 * still compiled to match the whole origin (so `/^a$|b/` cannot match a part), without the `g` and
 * `y` flags, whose `lastIndex` would make `test` answer differently each time.
 */
export function checkAllowedOrigin(origin: string | RegExp): string | RegExp {
  if (origin instanceof RegExp) {
    if (!origin.source.startsWith('^') || !endsWithAnchor(origin.source))
      throw new TypeError(
        `auth.allowedOrigins: ${String(origin)} must be anchored with ^ and $ to match a whole origin, ` +
          'such as /^https:\\/\\/[a-z]+\\.example\\.com$/',
      );
    return new RegExp(`^(?:${origin.source})$`, origin.flags.replace(/[gy]/g, ''));
  }
  let parsed: URL | undefined;
  try {
    parsed = new URL(origin);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || parsed.origin === 'null')
    throw new TypeError(`auth.allowedOrigins: "${String(origin)}" is not an origin such as https://api.example.com`);
  return parsed.origin;
}

// A `$` that is not escaped: an even number of backslashes before it.
function endsWithAnchor(source: string): boolean {
  if (!source.endsWith('$')) return false;
  let backslashes = 0;
  for (let i = source.length - 2; i >= 0 && source[i] === '\\'; i--) backslashes++;
  return backslashes % 2 === 0;
}
