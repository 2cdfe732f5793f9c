import type { ResolvedClientOptions } from './client-options';
import { checkMilliseconds } from '../option-checks';
import { redactUrl, secretValues, summarizeRequest } from '../errors/redact';
import { invalidRequest } from '../transport/transport-errors';
import { isUnchangedByParser } from './plain-path';
import { withHeaders } from '../headers';
import type { HttpRequest, HttpRequestInit, QueryValue, ResponseType } from './http-request';
import { resolveRetryOptions } from '../retry/retry-options';

const RESPONSE_TYPES: ReadonlySet<string> = new Set<ResponseType>(['json', 'text', 'blob', 'arraybuffer']);
const METHOD = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/; // an HTTP token (RFC 9110)
const SCHEME = /^[a-z][a-z\d+.-]*:/i;
// A base with nothing after its path that joining a path could run into.
const PLAIN_BASE = /^https?:\/\/[^?#]*$/;

/** Resolves what a caller wrote into a complete request, or throws {@link InvalidRequestError}. */
export function buildRequest(init: HttpRequestInit, options: ResolvedClientOptions): HttpRequest {
  const method = (init?.method ?? 'GET').toUpperCase();
  try {
    if (!METHOD.test(method)) throw new TypeError(`"${method}" is not an HTTP method`);
    const responseType = init.responseType ?? 'json';
    if (!RESPONSE_TYPES.has(responseType))
      throw new TypeError(`responseType must be one of ${[...RESPONSE_TYPES].join(', ')}`);
    return {
      method,
      url: resolveUrl(init.url, init.params, options.baseUrl),
      headers: init.headers ? withHeaders(options.headers, init.headers) : { ...options.headers },
      body: init.body,
      responseType,
      timeout: checkMilliseconds('timeout', init.timeout ?? options.timeout),
      auth: init.auth ?? true,
      retry: resolveRetryOptions(init.retry, options.retry),
    };
  } catch (cause) {
    // What failed may quote the URL or a header (Node's URL error keeps the whole URL in `input`).
    const secrets = secretValues(init?.url, Object.assign({}, options.headers, init?.headers), options.secretParams);
    const written = { method, url: String(init?.url), headers: init?.headers ?? {} };
    throw invalidRequest(cause, '', summarizeRequest(written, options.secretParams), secrets);
  }
}

function resolveUrl(url: string, params: HttpRequestInit['params'], baseUrl: string | null): string {
  if (typeof url !== 'string' || url === '') throw new TypeError('url must be a non-empty string');
  // Most requests are a plain path under the (already parsed) baseUrl, which the parser would give
  // back unchanged: skip it for them, as it showed in the benchmarks. Anything else is parsed below.
  if (!params && baseUrl !== null && isPlainPath(url) && PLAIN_BASE.test(baseUrl)) return joinPath(baseUrl, url);
  const resolved = new URL(absoluteUrl(url, baseUrl));
  if (params instanceof URLSearchParams) {
    params.forEach((value, name) => resolved.searchParams.append(name, value));
  } else if (params) {
    for (const name of Object.keys(params)) appendParam(resolved.searchParams, name, params[name]);
  }
  return resolved.href;
}

function absoluteUrl(url: string, baseUrl: string | null): string {
  if (SCHEME.test(url)) return url;
  if (baseUrl !== null) return joinPath(baseUrl, url);
  const page = globalThis.location?.href;
  if (page) return new URL(url, page).href;
  throw new TypeError(`"${redactUrl(url)}" is relative and there is no baseUrl to resolve it against`);
}

// Joined like a path, not resolved like a link: "/users" under ".../v1" stays under v1.
function joinPath(baseUrl: string, path: string): string {
  return `${trimSlashes(baseUrl, false)}/${trimSlashes(path, true)}`;
}

// The slashes at the start or the end of `text` removed (a loop: the regexes showed per request).
function trimSlashes(text: string, atStart: boolean): string {
  let start = 0;
  let end = text.length;
  if (atStart) while (text.charCodeAt(start) === 47) start++;
  else while (end > 0 && text.charCodeAt(end - 1) === 47) end--;
  return text.slice(start, end);
}

function isPlainPath(url: string): boolean {
  return isUnchangedByParser(url) && (url[0] === '/' || !SCHEME.test(url));
}

function appendParam(search: URLSearchParams, name: string, value: QueryValue): void {
  if (value === null || value === undefined) return;
  const values = Array.isArray(value) ? value : [value];
  for (const item of values) search.append(name, String(item));
}
