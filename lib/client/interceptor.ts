import type { Observable } from 'rxjs';
import type { HttpRequest } from './http-request';
import type { HttpResponse } from './http-response';

/** Sends a request onward: to the next interceptor, or to the network. */
export type HttpHandler = (req: HttpRequest) => Observable<HttpResponse<unknown>>;

/**
 * A function around each request: it may derive a changed copy, call `next` (more than once to
 * retry), and transform what comes back.
 *
 * @example
 * ```ts
 * const traceIds: HttpInterceptor = (req, next) =>
 *   next({ ...req, headers: { ...req.headers, 'x-trace-id': crypto.randomUUID() } });
 * ```
 */
export type HttpInterceptor = (req: HttpRequest, next: HttpHandler) => Observable<HttpResponse<unknown>>;

/** Builds one handler that runs `interceptors` in order, the first outermost, around `send`. */
export function chainInterceptors(interceptors: readonly HttpInterceptor[], send: HttpHandler): HttpHandler {
  // Folding from the right wraps the last interceptor first, so the first one ends up outermost
  // and sees the request first.
  return interceptors.reduceRight<HttpHandler>((next, interceptor) => (req) => interceptor(req, next), send);
}
