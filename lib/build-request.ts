import { checkTimeout, lowerCaseHeaders, type ResolvedClientOptions } from './client-options';
import { InvalidRequestError } from './errors/invalid-request-error';
import { redactHeaders, redactUrl } from './errors/redact';
import type { HttpRequest, HttpRequestInit, QueryValue, ResponseType } from './http-request';
import { resolveRetryOptions } from './retry/retry-options';

const RESPONSE_TYPES: ReadonlySet<string> = new Set<ResponseType>(['json', 'text', 'blob', 'arraybuffer']);
const METHOD = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/; // an HTTP token (RFC 9110)

/** Resolves what a caller wrote into a complete request, or throws {@link InvalidRequestError}. */
export function buildRequest(init: HttpRequestInit, options: ResolvedClientOptions): HttpRequest {
  const method = (init?.method ?? 'GET').toUpperCase();
  const summary = () => ({ method, url: redactUrl(String(init?.url)), headers: redactHeaders(init?.headers ?? {}) });
  try {
    if (!METHOD.test(method)) throw new TypeError(`"${method}" is not an HTTP method`);
    const responseType = init.responseType ?? 'json';
    if (!RESPONSE_TYPES.has(responseType)) throw new TypeError(`responseType must be one of ${[...RESPONSE_TYPES].join(', ')}`);
    return {
      method,
      url: resolveUrl(init.url, init.params, options.baseUrl),
      headers: { ...options.headers, ...lowerCaseHeaders(init.headers ?? {}, 'headers') },
      body: init.body,
      responseType,
      timeout: checkTimeout(init.timeout ?? options.timeout, 'timeout'),
      auth: init.auth ?? true,
      retry: resolveRetryOptions(init.retry, options.retry),
    };
  } catch (cause) {
    throw new InvalidRequestError(cause instanceof Error ? cause.message : String(cause), summary(), { cause });
  }
}

function resolveUrl(url: string, params: HttpRequestInit['params'], baseUrl: string | null): string {
  if (typeof url !== 'string' || url === '') throw new TypeError('url must be a non-empty string');
  const resolved = new URL(absoluteUrl(url, baseUrl));
  if (params instanceof URLSearchParams) {
    params.forEach((value, name) => resolved.searchParams.append(name, value));
  } else if (params) {
    for (const name of Object.keys(params)) appendParam(resolved.searchParams, name, params[name]);
  }
  return resolved.href;
}

function absoluteUrl(url: string, baseUrl: string | null): string {
  if (/^[a-z][a-z\d+.-]*:/i.test(url)) return url;
  // Joined like a path, not resolved like a link: "/users" under ".../v1" stays under v1.
  if (baseUrl !== null) return `${baseUrl.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}`;
  const page = globalThis.location?.href;
  if (page) return new URL(url, page).href;
  throw new TypeError(`"${url}" is relative and there is no baseUrl to resolve it against`);
}

function appendParam(search: URLSearchParams, name: string, value: QueryValue): void {
  if (value === null || value === undefined) return;
  const values = Array.isArray(value) ? value : [value];
  for (const item of values) search.append(name, String(item));
}
