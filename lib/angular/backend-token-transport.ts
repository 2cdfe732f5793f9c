import {
  type HttpBackend,
  HttpHeaders,
  HttpRequest as AngularRequest,
  HttpResponse as AngularResponse,
} from '@angular/common/http';
import { defer, identity } from 'rxjs';
import { filter, map, timeout } from 'rxjs/operators';
import type { HttpHandler, HttpResponse } from '../index';

/**
 * Sends the session's token requests through Angular's `HttpBackend`: past the interceptors (so
 * never through the auth interceptor, which would wait on its own refresh), but over whatever the
 * app set up (`withFetch()`, a custom backend, `provideHttpClientTesting()`). Failures stay
 * Angular's `HttpErrorResponse`; `oauth2Refresh` maps them to the core's errors. `backend` is
 * asked for at the first request: an app's HttpBackend may need what only a browser provides.
 */
export function backendTokenTransport(backend: () => HttpBackend): HttpHandler {
  return (req) =>
    defer(() =>
      backend().handle(
        new AngularRequest(req.method, req.url, req.body, { headers: new HttpHeaders({ ...req.headers }) }),
      ),
    ).pipe(
      filter((event): event is AngularResponse<unknown> => event instanceof AngularResponse),
      // HttpRequest's own `timeout` exists only from Angular 20; the peer range starts at 16.
      req.timeout > 0 && Number.isFinite(req.timeout) ? timeout<AngularResponse<unknown>>(req.timeout) : identity,
      map((response): HttpResponse<unknown> => ({
        status: response.status,
        headers: headersOf(response.headers),
        url: response.url ?? req.url,
        body: response.body,
      })),
    );
}

function headersOf(headers: HttpHeaders): Record<string, string> {
  const record: Record<string, string> = {};
  for (const name of headers.keys()) record[name.toLowerCase()] = headers.get(name) ?? '';
  return record;
}
