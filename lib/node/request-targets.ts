import { isUnchangedByParser } from '../client/plain-path';

/** What http.request needs of a URL. */
export interface RequestTarget {
  readonly protocol: string;
  /** Without an IPv6 address's brackets, as http.request wants it. */
  readonly hostname: string;
  readonly port: string | undefined;
  /** The path and query: what goes on the request line. */
  readonly path: string;
  /** `user:password` from the URL, decoded, if it has them. */
  readonly auth: string | undefined;
}

/**
 * Splits URLs for http.request, parsing only where it must: a URL under the origin of the last one
 * parsed, whose path the parser would give back as written, is cut with string operations. A
 * client sends most requests to one origin, and a parse per request showed in bench:profile.
 */
export class RequestTargets {
  private last: { readonly prefix: string; readonly target: RequestTarget } | null = null;

  of(url: string): RequestTarget {
    const { last } = this;
    if (last !== null && url.startsWith(last.prefix)) {
      const path = url.slice(last.prefix.length - 1);
      if (isUnchangedByParser(path)) return { ...last.target, path };
    }
    return this.parse(url);
  }

  private parse(url: string): RequestTarget {
    const parsed = new URL(url);
    const { protocol, hostname, port, username, password } = parsed;
    const target: RequestTarget = {
      protocol,
      hostname: hostname.startsWith('[') ? hostname.slice(1, -1) : hostname,
      port: port === '' ? undefined : port,
      path: parsed.pathname + parsed.search,
      auth: username || password ? `${decodeURIComponent(username)}:${decodeURIComponent(password)}` : undefined,
    };
    // Only an origin as the parser writes it, and without credentials, can be matched as text.
    if (target.auth === undefined) this.last = { prefix: `${protocol}//${parsed.host}/`, target };
    return target;
  }
}
