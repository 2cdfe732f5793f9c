import { HttpError } from '../errors/http-error';
import { NetworkError } from '../errors/network-error';
import { summarizeRequest } from '../errors/redact';
import { RequestError } from '../errors/request-error';
import { RequestTimeoutError } from '../errors/request-timeout-error';
import type { HttpRequest } from '../client/http-request';
import { jsonOrText } from './oauth-error-of';

/**
 * A token request's failure as one of our errors, when another transport failed it. Ours (and a
 * DPoP key loss) come as they are, and so does anything that is not a transport's error (say, a
 * missing Angular provider). A transport's error is rebuilt from its shape, keeping the status
 * and the body (the OAuth `error` code a session reads) and nothing else: rxjs' AjaxError holds
 * the request, whose form has the refresh token and whose headers have the client secret, and
 * loggers print causes.
 */
export function tokenEndpointError(error: unknown, req: HttpRequest): unknown {
  if (error instanceof RequestError) return error;
  const { status, name, response, error: body } = (error ?? {}) as Partial<Record<string, unknown>>;
  if (name === 'AjaxTimeoutError' || name === 'TimeoutError')
    return new RequestTimeoutError(summarizeRequest(req), req.timeout);
  // rxjs' AjaxError and Angular's HttpErrorResponse: status 0 when no answer came.
  if (typeof status !== 'number') return error;
  if (status === 0) return new NetworkError(summarizeRequest(req));
  // AjaxError keeps the body in `response`, Angular's HttpErrorResponse in `error`.
  const answer = jsonOrText(body ?? response);
  return new HttpError({ status, headers: {}, body: answer, url: req.url, request: summarizeRequest(req) });
}
