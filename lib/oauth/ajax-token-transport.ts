import { identity } from 'rxjs';
import { ajax, AjaxError, type AjaxResponse } from 'rxjs/ajax';
import { map, timeout } from 'rxjs/operators';
import type { HttpResponse } from '../client/http-response';
import type { HttpHandler } from '../client/interceptor';
import { fallbackXHR } from '../transport/fallback-xhr';
import { jsonOrText } from './oauth-error-of';

/**
 * What a token request goes over when no client, adapter or option gave it a transport: rxjs/ajax,
 * with only what a form POST needs (a string body, a JSON or text answer). Its failures are made
 * ours by tokenEndpointError, like those of any other transport.
 */
export function ajaxTokenTransport(createXHR?: () => XMLHttpRequest): HttpHandler {
  const xhr = createXHR ?? (typeof XMLHttpRequest === 'function' ? () => new XMLHttpRequest() : fallbackXHR);
  return (req) =>
    ajax<string>({
      url: req.url,
      method: req.method,
      headers: req.headers,
      body: req.body,
      // Read as text and parsed here: an XHR asked for 'json' turns a malformed body into null.
      responseType: 'text',
      // Without it ajax adds x-requested-with, which makes every cross-origin call preflight.
      crossDomain: true,
      createXHR: xhr,
    }).pipe(
      // A deadline on the whole answer: xhr2's own timeout only fires while the socket is idle.
      req.timeout > 0 && Number.isFinite(req.timeout) ? timeout<AjaxResponse<string>>(req.timeout) : identity,
      map((response): HttpResponse<unknown> => {
        // ajax lets a 3xx through as success; only a 2xx is one here.
        if (response.status < 200 || response.status > 299)
          throw new AjaxError('the token endpoint did not answer 2xx', response.xhr, response.request);
        const url = response.xhr.responseURL || req.url;
        return { status: response.status, headers: response.responseHeaders, url, body: jsonOrText(response.response) };
      }),
    );
}
